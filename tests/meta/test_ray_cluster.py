"""``spikey series --backend ray --address``: a real two-node Ray cluster on the loopback address.

The head and a second node are started with ``ray start`` (token authentication on, a fresh token,
every port chosen free, so nothing else on the machine is touched); a series joins the cluster by
address; the second node is killed while the series runs. Every run must still finish, with
results identical to the serial backend's.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import meta_toys
import pytest

pytest.importorskip("ray", reason="Ray is not installed (pip install 'spikey-meta[ray]')")
pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent

SERIES = """
experiment = "toy.toml"
[series]
n_repeats = 4
seed = 3
[series.grid]
"network.processing_time" = [2, 3, 4]
"""

EXPERIMENT = meta_toys.toy_experiment_toml(n_episodes=1, len_episode=6000)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _node_ports():
    names = (
        "--node-manager-port",
        "--object-manager-port",
        "--dashboard-agent-listen-port",
        "--dashboard-agent-grpc-port",
        "--runtime-env-agent-port",
        "--metrics-export-port",
    )
    low = _free_ports(1)[0]
    flags = [f"{name}={port}" for name, port in zip(names, _free_ports(len(names)), strict=True)]
    return [*flags, f"--min-worker-port={low}", f"--max-worker-port={low + 40}"]


def _ray_command():
    return str(Path(sys.executable).with_name("ray"))


def _logged_results(folder):
    runs = {}
    for path in sorted(Path(folder).glob("*.json")):
        if "~SUMMARY" in path.name:
            continue
        results = json.loads(path.read_text())["results"]
        runs[results["run_index"]] = {k: v for k, v in results.items() if k != "seconds"}
    return runs


@pytest.fixture
def cluster(tmp_path):
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": token,
        "PYTHONPATH": os.pathsep.join(
            [str(HERE), str(HERE.parent / "core"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    temp = tempfile.mkdtemp(prefix="sray", dir="/tmp")  # short: Ray's socket paths have a length limit
    (port,) = _free_ports(1)
    common = ["--block", "--num-cpus=1", "--disable-usage-stats", "--node-ip-address=127.0.0.1"]
    head = subprocess.Popen(
        [
            _ray_command(),
            "start",
            "--head",
            f"--port={port}",
            "--include-dashboard=false",
            f"--temp-dir={temp}",
            *common,
            *_node_ports(),
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"127.0.0.1:{port}"
    nodes = [head]
    try:
        _wait_for_nodes(address, env, 1)
        second = subprocess.Popen(
            [_ray_command(), "start", f"--address={address}", *common, *_node_ports()],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        nodes.append(second)
        _wait_for_nodes(address, env, 2)
        yield address, env, second
    finally:
        for node in reversed(nodes):
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGKILL)
            node.wait()
        shutil.rmtree(temp, ignore_errors=True)


def _wait_for_nodes(address, env, n, timeout=180):
    script = (
        "import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False); "
        "print(sum(node['Alive'] for node in ray.nodes()))"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = subprocess.run(
            [sys.executable, "-c", script, address], env=env, capture_output=True, text=True
        )
        if probe.returncode == 0 and probe.stdout.strip().splitlines()[-1:] == [str(n)]:
            return
        time.sleep(2)
    raise AssertionError(f"the Ray cluster at {address} did not reach {n} nodes: {probe.stderr[-2000:]}")


def test_series_joined_by_address_survives_losing_a_node(cluster, tmp_path):
    address, env, second = cluster
    (tmp_path / "toy.toml").write_text(EXPERIMENT)
    (tmp_path / "series.toml").write_text(SERIES)
    command = [
        sys.executable,
        "-m",
        "spikey_core.cli",
        "series",
        str(tmp_path / "series.toml"),
        "--allow-imports",
    ]
    run = subprocess.Popen(
        [*command, "--backend", "ray", "--address", address, "--out", str(tmp_path / "ray")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not _logged_results(tmp_path / "ray") and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.1)
    assert run.poll() is None, "the series ended before the node could be killed"
    os.killpg(second.pid, signal.SIGKILL)  # the second node dies mid-series
    second.wait()
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert "12 of 12 runs finished" in out
    serial = subprocess.run(
        [*command, "--backend", "serial", "--out", str(tmp_path / "serial")],
        env=env,
        capture_output=True,
    )
    assert serial.returncode == 0, serial.stderr
    on_ray, on_serial = _logged_results(tmp_path / "ray"), _logged_results(tmp_path / "serial")
    assert sorted(on_ray) == list(range(12)) and on_ray == on_serial


def test_address_needs_the_ray_backend_and_a_reachable_cluster(tmp_path, capsys):
    from spikey_core.cli import main

    (tmp_path / "toy.toml").write_text(EXPERIMENT)
    (tmp_path / "series.toml").write_text(SERIES)
    spec = str(tmp_path / "series.toml")
    assert (
        main(["series", spec, "--allow-imports", "--backend", "serial", "--address", "127.0.0.1:6379"]) == 2
    )
    assert "--address: joins a Ray cluster, so it needs --backend ray" in capsys.readouterr().err
    assert main(["series", spec, "--allow-imports", "--backend", "ray", "--address", "nowhere"]) == 2
    assert "must be HOST:PORT" in capsys.readouterr().err
