"""Scenario loading: defaults, overrides, and every kind of bad input."""

from pathlib import Path

import pytest

from ssisim.errors import ScenarioError
from ssisim.scenario.loading import load_scenario, parse_scenario
from ssisim.scenario.schema import Scenario
from ssisim.scenario.strategies import BUILTIN_STRATEGIES

GOOD = """\
name: demo
seed: 3
weeks: 8
population:
  size: 1000
strategies:
  - open-bar
  - name: my-club
    based_on: club-select
    invites_per_week: 40
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_and_builtin_resolution(tmp_path):
    sc = load_scenario(write(tmp_path, GOOD))
    assert isinstance(sc, Scenario)
    assert sc.platform.invite_cap_per_week == 100
    assert sc.platform.connection_limit == 30_000
    assert sc.platform.boost_threshold_ssi == 70 and sc.platform.boost_reach == pytest.approx(0.2)
    assert sc.answers.messaging.cold_reply_rate == pytest.approx(0.10)
    open_bar, club = sc.strategies
    assert open_bar.invites_per_week == BUILTIN_STRATEGIES["open-bar"]["invites_per_week"]
    assert club.name == "my-club" and club.invites_per_week == 40
    assert club.invite_note_share == BUILTIN_STRATEGIES["club-select"]["invite_note_share"]
    assert sc.effective_checkpoints() == (8,)


def test_overrides_by_path_and_by_strategy_name(tmp_path):
    sc = load_scenario(
        write(tmp_path, GOOD),
        [
            "population.size=2000",
            "strategies.open-bar.invites_per_week=7",
            "strategies.1.posts_per_week=1",
        ],
    )
    assert sc.population.size == 2000
    assert sc.strategies[0].invites_per_week == 7
    assert sc.strategies[1].posts_per_week == 1


def test_scenario_is_frozen(tmp_path):
    sc = load_scenario(write(tmp_path, GOOD))
    with pytest.raises(Exception, match="frozen"):
        sc.weeks = 3  # type: ignore[misc]


BAD = [
    # (what, text, expected message pattern)
    (
        "yaml syntax",
        "name: demo\nstrategies: [open-bar\nweeks: 3\n",
        r"s\.yaml:\d+: YAML syntax error",
    ),
    (
        "misspelled key",
        GOOD.replace("weeks: 8", "weekz: 8"),
        r"s\.yaml:3: weekz: unknown key \(did you mean 'weeks'\?\)",
    ),
    (
        "misspelled nested key",
        GOOD.replace("size: 1000", "sise: 1000"),
        r"s\.yaml:5: population\.sise: unknown key \(did you mean 'size'\?\)",
    ),
    (
        "misspelled strategy field",
        GOOD.replace("invites_per_week: 40", "invite_per_week: 40"),
        r"s\.yaml:10: strategies\.my-club\.invite_per_week: unknown key \(did you mean 'invites_per_week'\?\)",
    ),
    (
        "unknown built-in",
        GOOD.replace("- open-bar", "- open-barr"),
        r"s\.yaml:\d+: strategies.*unknown built-in strategy 'open-barr' \(did you mean 'open-bar'\?\)",
    ),
    (
        "wrong type",
        GOOD.replace("weeks: 8", "weeks: many"),
        r"s\.yaml:3: weeks: .*integer.*\(got 'many'\)",
    ),
    (
        "probability above 1",
        GOOD.replace("invites_per_week: 40", "invite_note_share: 1.5"),
        r"s\.yaml:10: strategies\.my-club\.invite_note_share: must be at most 1 \(got 1\.5\)",
    ),
    (
        "negative rate",
        GOOD.replace("invites_per_week: 40", "posts_per_week: -2"),
        r"s\.yaml:10: strategies\.my-club\.posts_per_week: must be at least 0 \(got -2\)",
    ),
    (
        "nan",
        GOOD.replace("invites_per_week: 40", "posts_per_week: .nan"),
        r"s\.yaml:10: strategies\.my-club\.posts_per_week: .*finite",
    ),
    (
        "infinity",
        GOOD.replace("size: 1000", "size: .inf"),
        r"s\.yaml:5: population\.size: .*(finite|integer)",
    ),
    ("empty file", "", r"s\.yaml:1: the file is empty"),
    ("only a comment", "# nothing here\n", r"s\.yaml:1: the file is empty"),
    (
        "top level a list",
        "- open-bar\n- club-select\n",
        r"s\.yaml:1: the top level must be a mapping",
    ),
    ("top level a scalar", "just words\n", r"s\.yaml:1: the top level must be a mapping"),
    ("missing strategies", "name: demo\n", r"s\.yaml:1: strategies: required key is missing"),
    (
        "unknown industry",
        GOOD.replace("size: 1000", "size: 1000\n  target:\n    industries: [sofware]"),
        r"s\.yaml:7: population\.target\.industries: unknown industry 'sofware' \(did you mean 'software'\?\)",
    ),
    (
        "duplicate names",
        GOOD.replace("name: my-club", "name: open-bar"),
        r"strategies: names must be unique",
    ),
]


@pytest.mark.parametrize("what,text,pattern", BAD, ids=[b[0] for b in BAD])
def test_bad_scenarios_are_one_line_with_file_line_key(tmp_path, what, text, pattern):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError, match=pattern) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.yaml: no such scenario file"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)


def test_binary_file(tmp_path):
    p = tmp_path / "b.yaml"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ScenarioError, match=r"b\.yaml:1: not a UTF-8 text file"):
        load_scenario(p)
    p.write_bytes("name: démo\nstrategies: [open-bar]\n# é\n".encode("latin-1"))  # line 1
    with pytest.raises(
        ScenarioError, match=r"b\.yaml:1: not a UTF-8 text file .*byte 8 of the line\)"
    ):
        load_scenario(p)
    p.write_bytes("name: demo\nstrategies: [open-bar]\n# é\n".encode("latin-1"))  # line 3
    with pytest.raises(ScenarioError, match=r"b\.yaml:3: not a UTF-8 text file"):
        load_scenario(p)


@pytest.mark.parametrize(
    "override,pattern",
    [
        ("weeks=-1", r"^--set weeks=-1: weeks: must be at least 1 \(got -1\)"),
        (
            "population.sizee=10",
            r"^--set population.sizee=10: population\.sizee: unknown key \(did you mean 'size'\?\)",
        ),
        (
            "strategies.open-bar.invite_note_share=2",
            r"^--set strategies.open-bar.invite_note_share=2: strategies\.open-bar\.invite_note_share",
        ),
        (
            "strategies.opn-bar.posts_per_week=1",
            r"^--set strategies.opn-bar.posts_per_week=1: strategies has no entry 'opn-bar' \(did you mean 'open-bar'\?\)",
        ),
        ("weeks", r"^--set weeks: expected KEY=VALUE"),
        ("seed=.nan", r"^--set seed=.nan: seed: "),
        ("weeks.x=1", r"is a value, not a mapping"),
        (  # the file's strategies are replaced: the error is the option's, not the file's line
            "strategies=[open-bar, nobody]",
            r"^--set strategies=\[open-bar, nobody\]: strategies\.nobody: unknown built-in",
        ),
    ],
)
def test_bad_overrides(tmp_path, override, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario(write(tmp_path, GOOD), [override])


@pytest.mark.parametrize(
    "overrides,kind", [("replications=3", "one string"), ({"weeks": 4}, "a mapping")]
)
def test_overrides_not_in_a_list_are_one_line(tmp_path, overrides, kind):
    """A notebook's `load_scenario(path, "replications=3")` would iterate the
    string's characters (fourteen lines of "--set r: expected KEY=VALUE")."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, GOOD), overrides)
    message = str(info.value)
    assert "\n" not in message and message.startswith("overrides: a list of KEY=VALUE"), message
    assert kind in message


def test_labelled_override_names_the_option(tmp_path):
    with pytest.raises(ScenarioError, match=r"^--weeks 900: weeks: "):
        load_scenario(write(tmp_path, GOOD), [("weeks=900", "--weeks 900")])


def test_yaml_loaded_safely():
    with pytest.raises(ScenarioError, match=r"YAML syntax error|could not determine a constructor"):
        parse_scenario(
            "name: !!python/object/apply:os.system ['echo hi']\nstrategies: [open-bar]\n"
        )


def test_sales_navigator_weights_cannot_all_be_zero():
    text = GOOD + (
        "scoring:\n  people: {lead_tools: {weight: 0, scale: 1}}\n"
        "  insights: {inmail: {weight: 0, scale: 1}}\n  relationships: {teamlink: {weight: 0, scale: 1}}\n"
    )
    with pytest.raises(ScenarioError, match="could reach 100 without it"):
        parse_scenario(text, "x.yaml")


def test_a_dumped_scenario_reads_back_equal_with_a_default_context_removed():
    """`volume: null` is dumped as null, not dropped: a sweep's points (and a team's,
    a cohort's) were built from a dump and got the removed context back."""
    from ssisim.experiments.sweep import build_points

    sc = parse_scenario("name: x\nstrategies: [open-bar]\ncontexts: {volume: null}\n")
    for mode in ("json", "python"):
        assert Scenario.model_validate(sc.model_dump(mode=mode)) == sc
    (point,), _ = build_points(sc, [{"weeks": 3}], ["weeks"])
    assert list(point.scenario.contexts) == ["complex"] and point.scenario.weeks == 3
    plain = parse_scenario("name: x\nstrategies: [open-bar]\n")
    assert None not in plain.model_dump(mode="json")["contexts"].values()


def test_from_is_written_from_and_from_underscore_is_an_unknown_key():
    """``from`` is the field ``from_`` (a Python keyword): a scenario saying
    ``from_:`` was accepted and the file silently not loaded."""
    for text in (
        "name: x\nstrategies:\n  - name: a\n    from_: member.yaml\n",
        "name: x\npopulation:\n  seller:\n    from_: member.yaml\nstrategies: [inactive]\n",
    ):
        with pytest.raises(
            ScenarioError, match=r"^a\.yaml:4: .*from_: unknown key \(did you mean 'from'\?\)$"
        ):
            parse_scenario(text, "a.yaml")
    sc = parse_scenario("name: x\nstrategies: [open-bar]\n")
    dumped = sc.model_dump(mode="json")  # what manifests, reports and --json show
    assert "from" in dumped["strategies"][0] and "from_" not in dumped["strategies"][0]
    assert "from" in dumped["population"]["seller"]
    assert type(sc).model_validate(dumped) == sc


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "name: x\nstrategies:\n  - name: a\n    invite_targeting: relevant\n",
            "a.yaml:4: strategies.a.invite_targeting: expected a list, e.g. [a, b]",
        ),
        (
            "name: x\npopulation: 3\nstrategies: [inactive]\n",
            "a.yaml:2: population: expected a mapping",
        ),
        ("name: bad name!\nstrategies: [inactive]\n", "a.yaml:1: name: expected letters, digits"),
    ],
)
def test_shape_errors_speak_of_the_scenario_not_of_python(text, message):
    """pydantic's "a valid tuple" or a raw regex meant nothing to a newcomer."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "a.yaml")
    assert str(info.value).startswith(message)
    assert "tuple" not in str(info.value) and "pattern" not in str(info.value)


@pytest.mark.parametrize(
    "block,said",
    [
        (
            "population: {size: 1000, seller: {initial_connections: 5000}}",
            "population.seller.initial_connections: 5,000 contacts at week 0 in a population "
            "of 1,000 members",
        ),
        (
            "platform: {connection_limit: 10}",
            "platform.connection_limit: 10 is below the seller's 150 contacts at week 0",
        ),
    ],
)
def test_a_week_0_network_that_cannot_be_is_refused(block, said):
    """5,000 contacts in a population of 1,000 ran with 999, a limit of 10 with 150
    contacts cut them to 10: both without a word."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(f"name: x\nstrategies: [open-bar]\n{block}\n", "x.yaml")
    assert said in str(info.value)
    assert len(str(info.value).splitlines()) == 1


@pytest.mark.parametrize(
    "override,weight,scale",
    [("scoring.brand.posts.weight=0.5", 0.5, 1.5), ("scoring.brand.posts.scale=3", 0.25, 3.0)],
)
def test_one_half_of_a_pillar_input_keeps_the_other_default(tmp_path, override, weight, scale):
    """A student's `--set scoring.brand.posts.weight=0.5` was refused with
    "scale: required key is missing"; the other half now stays at its default."""
    posts = load_scenario(write(tmp_path, GOOD), [override]).scoring.brand.posts
    assert (posts.weight, posts.scale) == (weight, scale)
    with pytest.raises(ScenarioError, match=r"scoring\.brand\.posts: required keys are missing"):
        load_scenario(write(tmp_path, GOOD), ["scoring.brand.posts={}"])
    with pytest.raises(ScenarioError) as info:  # a misspelled key is told alone
        load_scenario(write(tmp_path, GOOD), ["scoring.brand.posts.weigth=0.5"])
    assert str(info.value).count("\n") == 0 and "did you mean 'weight'" in str(info.value)
