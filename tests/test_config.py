"""RunConfig: validation in one place, exact round trip through strings, lenient URL parsing."""
import math

import pytest

from repcore import ConfigError, RunConfig


def test_round_trip_through_query_strings_is_exact():
    cfg = RunConfig(target="sin(3*x1)*x2", domain=((0.0, 2.0), (-1.0, 1.5)), freq=12.5, model="vanilla", act="relu",
                    width=64, depth=4, slope_scale=33.3, law="chebyshev", train_slope=False, steps=777, lr=3e-4, seed=42,
                    dtype="float64", head="init", optimizer="sgd")
    query = cfg.to_query()
    assert all(isinstance(v, str) for v in query.values())
    assert RunConfig.from_query(query)[0] == cfg


def test_defaults_give_an_empty_query():
    assert RunConfig().to_query() == {}
    assert RunConfig.from_query({}) == (RunConfig(), [])


def test_auto_slope_scale_spelling():
    assert RunConfig.from_query({"slope_scale": "auto"})[0].slope_scale is None


@pytest.mark.parametrize("key, raw, message", [
    ("width", "-1", "width: -1 is outside [1, 2048]"),
    ("width", "1e9", "width: '1e9' is not a whole number"),
    ("depth", "0", "outside"),
    ("lr", "nan", "lr: nan is not a finite number"),
    ("lr", "inf", "not a finite number"),
    ("lr", "abc", "lr: 'abc' is not a number"),
    ("steps", "2.5", "not a whole number"),
    ("seed", "-3", "outside"),
    ("act", "gelu", "act: unknown value 'gelu'; choose one of: relu, tanh"),
    ("model", "resnet", "choose one of"),
    ("device", "tpu", "choose one of: auto, cpu, cuda"),
    ("domain", "1,0", "need LO < HI"),
    ("domain", "0,1,2", "not a pair"),
    ("domain", "a,b", "not LO,HI"),
    ("domain", "0,1e9", "beyond"),
    ("train_slope", "maybe", "not true/false"),
    ("target", "  ", "empty"),
    ("colour", "red", "unknown setting 'colour'"),
])
def test_bad_values_are_rejected_with_the_field_named(key, raw, message):
    with pytest.raises(ConfigError) as err:
        RunConfig.from_query({key: raw})
    assert message in str(err.value)


def test_typed_construction_is_validated_too():
    with pytest.raises(ConfigError):
        RunConfig(width="100")
    with pytest.raises(ConfigError):
        RunConfig(lr=math.inf)
    with pytest.raises(ConfigError):
        RunConfig(train_points="yes")


def test_lenient_parsing_keeps_defaults_and_reports_each_problem():
    cfg, notices = RunConfig.from_query({"width": "-5", "lr": "NaN", "bogus": "1", "seed": "7"}, lenient=True)
    assert cfg == RunConfig(seed=7)
    assert len(notices) == 3 and all("using the default" in n for n in notices)
