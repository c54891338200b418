"""Operator learning on the earthquake records: ground motion -> structural response.

    data      the .mat file, the author's split and metric
    fno       a 1-D Fourier neural operator (the anchor)
    coordnet  an MLP on one coordinate, vanilla or RepNet first layer
    kernel    a causal impulse-response operator whose kernel is a CoordNet of the time lag
    methods   the OPERATORS registry
    training  mini-batches of records, MSE, Adam: a generator of per-epoch records
"""
