"""Sweeps: one compiled kernel for a numeric grid, rows equal to separate runs (common random numbers), parquet
parts that resume, Dask, and the command line's errors.

Every run here has the same shapes (the startup scenario, 512 paths, 23 months: a horizon no other test
uses, so the module's one compile of the engine is its own and can be counted)."""

import pandas as pd
import pytest
from typer.testing import CliRunner
from whatif_scenarios import startup

import venturesim as vs
from venturesim.analysis.sweep import MANIFEST, PART, default_statistics, make_variants
from venturesim.cli import app
from venturesim.engine import programs, simulate
from venturesim.spec.errors import OutputError, ScenarioError, UsageError

PATHS, MONTHS, SEED = 512, 23, 3
GRID = {"company.initial_cash": [1_000_000, 2_000_000], "company.other_monthly_costs": [10_000, 20_000]}
RUN = {"paths": PATHS, "seed": SEED, "months": MONTHS}


@pytest.fixture(scope="module")
def swept():
    """The grid's sweep, and the key of every engine program (``run_block`` at its shapes and static arguments,
    :func:`venturesim.engine.programs.program_key`) its calls asked for."""
    keys = []

    def kernel(params, block_keys, *static):
        keys.append(programs.program_key(params, block_keys, *static))
        return programs.kernel(params, block_keys, *static)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulate, "kernel", kernel)
        table = vs.sweep(startup(), GRID, **RUN)
    return table, keys


def stats_columns():
    return [c for o in default_statistics(MONTHS) for c in (o.name, f"{o.name} se")]


def test_a_numeric_grid_is_one_compiled_program(swept):
    table, keys = swept
    assert len(keys) >= 1 and len(set(keys)) == 1
    assert table.attrs["groups"] == 1 and len(table) == 4
    assert list(table.columns[:3]) == ["variant", "company.initial_cash", "company.other_monthly_costs"]
    assert table["variant"][1] == "company.initial_cash=1000000, company.other_monthly_costs=20000"


def test_a_row_is_a_separate_simulate_at_the_same_seed(swept):
    table, _ = swept
    result = vs.simulate(
        vs.load(startup()).override({"company.initial_cash": 2_000_000, "company.other_monthly_costs": 20_000}), **RUN
    )
    row = table.iloc[3]
    for outcome in default_statistics(MONTHS):
        assert (row[outcome.name], row[f"{outcome.name} se"]) == outcome.of(result)
    assert row["P(alive at 23)"] > table.iloc[1]["P(alive at 23)"]  # more cash, same burn: more survive


def test_a_variant_identical_to_the_base_gives_identical_numbers():
    """Common random numbers: startup's initial cash is 1.5M, so 'same' is the base itself."""
    table = vs.sweep(startup(), variants={"base": {}, "same": {"company.initial_cash": 1_500_000}}, **RUN)
    columns = stats_columns()
    assert table.loc[0, columns].tolist() == table.loc[1, columns].tolist()
    assert table["variant"].tolist() == ["base", "same"] and table.attrs["computed"] == ["base", "same"]


def test_dask_gives_the_same_rows(swept):
    """A LocalCluster of 2 in-process workers (threads: they share this process's compiled kernel)."""
    from dask.distributed import Client, LocalCluster

    table, _ = swept
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster, Client(cluster) as client:
        on_dask = vs.sweep(startup(), GRID, **RUN, client=client)
    pd.testing.assert_frame_equal(on_dask, table)


def test_resume_runs_only_the_missing_parts_and_a_changed_sweep_is_refused(swept, tmp_path):
    table, _ = swept
    out = tmp_path / "sweep"
    first = vs.sweep(startup(), GRID, **RUN, out=out)
    pd.testing.assert_frame_equal(first, table)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, *(PART.format(i) for i in range(4))]
    (out / PART.format(2)).unlink()
    again = vs.sweep(startup(), GRID, **RUN, out=out)
    assert again.attrs["computed"] == [table["variant"][2]]
    pd.testing.assert_frame_equal(again, table)
    on_disk = pd.read_parquet(out).sort_values("index").drop(columns="index").reset_index(drop=True)
    pd.testing.assert_frame_equal(on_disk, table)
    changed = GRID | {"company.initial_cash": [1_000_000, 3_000_000]}
    with pytest.raises(OutputError, match=r"another sweep.*--force"):
        vs.sweep(startup(), changed, **RUN, out=out)
    with pytest.raises(OutputError, match="resume is off"):
        vs.sweep(startup(), GRID, **RUN, out=out, resume=False)
    forced = vs.sweep(startup(), changed, **RUN, out=out, force=True)
    assert len(forced.attrs["computed"]) == 4
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="did not write"):
        vs.sweep(startup(), changed, **RUN, out=out, force=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_variants_are_grouped_by_shape():
    """Numbers share a group (one compiled kernel); another segment is a group of its own."""
    from venturesim.engine.variants import shape_groups

    base = vs.load(startup())
    cheaper = base.override({"market.segments.smb.price*=": 0.5})
    data = startup()
    data["market"]["segments"].append(data["market"]["segments"][0] | {"name": "mid"})
    assert shape_groups([base, vs.load(data), cheaper], MONTHS) == [[0, 2], [1]]


def test_variants_from_a_grid_a_design_or_names():
    grid = make_variants({"a": [1, 2], "b*=": [0.5]})
    assert [v.label for v in grid] == ["a=1, b*=0.5", "a=2, b*=0.5"]
    design = make_variants(design=pd.DataFrame({"a": [1.5, 2.5]}))
    assert [v.settings for v in design] == [{"a": 1.5}, {"a": 2.5}]
    assert make_variants(variants={"x": {}})[0].label == "x"
    with pytest.raises(UsageError, match="exactly one"):
        make_variants()
    with pytest.raises(UsageError, match="labelled"):
        make_variants(design=pd.DataFrame({"a": [1, 1]}))


@pytest.fixture
def scenario_file(tmp_path):
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(startup()))
    return path


def test_the_command_prints_a_row_per_variant_and_resumes(swept, scenario_file, tmp_path):
    args = ["sweep", str(scenario_file), "--grid", "company.initial_cash=1e6,2e6", "--grid"]
    args += ["company.other_monthly_costs=10000,20000", "--paths", "512", "--months", "23", "--seed", "3"]
    args += ["--out", str(tmp_path / "o")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table, _ = swept
    assert all(f"{p:.1%}" in result.output for p in table["P(alive at 23)"]), result.output
    on_disk = pd.read_parquet(tmp_path / "o").sort_values("index")
    assert on_disk["P(alive at 23)"].tolist() == table["P(alive at 23)"].tolist()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "4 read back from an earlier run" in again.output, again.output


def test_a_misspelled_setting_names_the_nearest_field_before_anything_runs(scenario_file):
    with pytest.raises(ScenarioError, match="did you mean 'initial_cash'"):
        vs.sweep(startup(), {"company.inital_cash": [1, 2]}, **RUN)
    with pytest.raises(UsageError, match="after the horizon, month 23"):
        vs.sweep(startup(), variants={"base": {}}, **RUN, statistics=["alive@12", "arr@30:p90"])
    path = scenario_file
    result = CliRunner().invoke(app, ["sweep", str(path), "--grid", "company.inital_cash=1e6,2e6"])
    assert result.exit_code == ScenarioError.exit_code, result.output
    assert "did you mean 'initial_cash'" in result.output
    result = CliRunner().invoke(app, ["sweep", str(path), "--grid", "company.initial_cash"])
    assert result.exit_code == UsageError.exit_code and "NAME=V1,V2" in result.output


def test_the_command_refuses_a_misspelled_name_before_importing_jax(scenario_file):
    import subprocess
    import sys

    code = (
        "import sys\nfrom venturesim.cli import app\ntry:\n"
        f"    app(['sweep', {str(scenario_file)!r}, '--grid', 'company.inital_cash=1,2'])\n"
        "except SystemExit as exc:\n    print(exc.code, 'jax' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split("\n")[-2] == f"{ScenarioError.exit_code} False", done.stdout + done.stderr
