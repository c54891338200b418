"""What a run learns from: a formula on a box, or data (a CSV, a picture, a seismogram).

    expr        safe expressions: a whitelist parser and evaluator (no Python eval)
    presets     named formula targets, Target, `resolve` for every spec; TargetError, DataError
    frequency   the top-frequency probe (RepNet's auto slope scale reads it)
    data        DataTarget and its train/test split; the csv:, image: and quake: sources
    csvdata     CSV parsing and checks
    images      shipped pictures (pictures/, package data), decoding, radial spectra
    uploads     files a run reads, and the uploads-only policy of a server
    seismic     real earthquake records (ObsPy) and the SDOF structure they excite
Importing the package registers every data source (DATA_SOURCES), so `resolve` knows them all."""
from . import data  # noqa: F401  (registers csv:, image:, quake:)
from .frequency import significant_cycles, top_frequency
from .presets import DATA_SOURCES, PRESETS, DataError, Target, TargetError, line, resolve, sample_box

__all__ = ["DATA_SOURCES", "PRESETS", "DataError", "Target", "TargetError", "line", "resolve", "sample_box",
           "significant_cycles", "top_frequency"]
