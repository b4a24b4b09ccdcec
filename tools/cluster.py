"""The production topology on one machine, for testing (``make cluster``, ``make cluster-stop``).

Everything runs on loopback (127.0.0.1) under ``var/cluster/``: pid files in ``run/``, logs in
``log/``. What starts, in order (``docs/deployment.md`` describes the real machines):

1. PostgreSQL primary (``initdb`` in ``pg/primary``, port ``CLUSTER_PG_PORT`` 55432, WAL
   archived to ``pg/wal-archive``, a ``replication`` line in ``pg_hba.conf``) and a streaming
   replica made with ``pg_basebackup -R`` (``pg/replica``, port 55433). Both run as the
   ``postgres`` user when this runs as root (the scratch directory is theirs). The machine's
   own PostgreSQL (port 5432) is never touched.
2. Redis (port 56379, no persistence): the shared cache and rate-limit store.
3. An S3-compatible server for media (``moto`` in server mode, port 55000) and its bucket.
4. The schema (``migrate`` once, on the primary), the administrative map
   (``orgunits_import``, once), the demo (``demo_load``, once), ``collectstatic``.
5. Two gunicorn app servers (ports 58001 and 58002, 1 worker x 2 threads each: the machine
   is small), then nginx in front of them on port ``CLUSTER_LB_PORT`` (8080), installed
   from Debian's packages when missing.
6. Two task workers and the scheduler (when the installed code has them).

``start`` first stops a cluster left by an earlier run (by its pid files, nothing else), so
it is idempotent; the database and the map are kept between runs (``CLUSTER_FRESH=1``
starts from an empty data directory). ``stop`` stops everything in the reverse order.
``env`` prints the environment the app servers run with (for ``manage.py`` by hand).
Rate limits are raised in this cluster only: every test client shares one address. The S3
server keeps its objects in memory: files uploaded before a restart of the cluster are gone
(the database that names them is kept), which matters only to the demo's attachments.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = Path(os.environ.get("CLUSTER_DIR", ROOT / "var" / "cluster"))
RUN, LOG = CLUSTER / "run", CLUSTER / "log"
PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
PG_PORT = int(os.environ.get("CLUSTER_PG_PORT", "55432"))
REPLICA_PORT = int(os.environ.get("CLUSTER_REPLICA_PORT", "55433"))
REDIS_PORT = int(os.environ.get("CLUSTER_REDIS_PORT", "56379"))
S3_PORT = int(os.environ.get("CLUSTER_S3_PORT", "55000"))
LB_PORT = int(os.environ.get("CLUSTER_LB_PORT", "8080"))
APP_PORTS = [int(p) for p in os.environ.get("CLUSTER_APP_PORTS", "58001,58002").split(",")]
WORKERS = int(os.environ.get("CLUSTER_WORKERS", "2"))
DB_NAME = "binhyen"
BUCKET = "binhyen-media"
PY = str(ROOT / ".venv" / "bin" / "python")
VENV_BIN = ROOT / ".venv" / "bin"
PG_USER = "postgres"


def log(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


# --- helpers -----------------------------------------------------------------------------------


def as_postgres() -> list[str]:
    """Prefix running a command as the ``postgres`` user (when root), else as ourselves."""
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--"]
    return []


def chown_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_USER)
        for base, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                os.chown(os.path.join(base, name), entry.pw_uid, entry.pw_gid)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def port_open(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), 0.5).close()
    except OSError:
        return False
    return True


def wait_port(port: int, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not listen on {HOST}:{port} within {timeout:.0f} s")
        time.sleep(0.2)


def http_ok(port: int, path: str = "/healthz") -> bool:
    try:
        with socket.create_connection((HOST, port), 2) as sock:
            sock.settimeout(5)
            sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode())
            return b" 200 " in sock.recv(64)
    except OSError:
        return False


def wait_http(port: int, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not http_ok(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer /healthz on port {port} in {timeout:.0f} s")
        time.sleep(0.3)


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    # Progress of the commands goes to stderr: `make cluster-check` keeps stdout for JSON.
    if not kwargs.get("capture_output"):
        kwargs.setdefault("stdout", sys.stderr)
    return subprocess.run(cmd, check=True, text=True, **kwargs)  # noqa: S603


def pidfile(name: str) -> Path:
    return RUN / f"{name}.pid"


# What each pid file's process runs: a pid reused by another program is never signalled.
PROGRAMS = {"redis": "redis-server", "s3": "moto_server", "nginx": "nginx"}


def read_pid(name: str) -> int | None:
    """The live process started under ``name``, or None (also when the pid was reused)."""
    try:
        pid = int(pidfile(name).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    expected = PROGRAMS.get(name, "gunicorn" if name.startswith("app") else "manage.py")
    return pid if expected in cmdline else None


def stop_pid(name: str, timeout: float = 20.0) -> None:
    """Stop the process group started under ``name`` (TERM, then KILL after ``timeout``)."""
    pid = read_pid(name)
    if pid is None:
        pidfile(name).unlink(missing_ok=True)
        return
    log(f"stopping {name} (pid {pid})")
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        pgid = None
    target = pgid if pgid == pid else None  # our processes lead their own group
    with _suppress():
        if target is not None:
            os.killpg(target, signal.SIGTERM)
        else:
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and read_pid(name) is not None:
        time.sleep(0.2)
    if read_pid(name) is not None:
        log(f"{name} did not stop in {timeout:.0f} s: killing it")
        with _suppress():
            if target is not None:
                os.killpg(target, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
    pidfile(name).unlink(missing_ok=True)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], ProcessLookupError)  # type: ignore[arg-type]


def spawn(name: str, cmd: list[str], env: dict[str, str]) -> int:
    """Start ``cmd`` in its own session, output to ``log/<name>.log``, pid in ``run/``."""
    out = open(LOG / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(  # noqa: S603
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    out.close()
    pidfile(name).write_text(str(process.pid))
    return process.pid


# --- the environment of every Django process ------------------------------------------------


def secret_key() -> str:
    path = CLUSTER / "secret_key"
    if not path.exists():
        CLUSTER.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def django_env() -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secret_key(),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": f"postgres://{PG_USER}@{HOST}:{PG_PORT}/{DB_NAME}",
            "DATABASE_REPLICA_URL": f"postgres://{PG_USER}@{HOST}:{REPLICA_PORT}/{DB_NAME}",
            "DATABASE_STATEMENT_TIMEOUT_MS": "60000",
            "CONN_MAX_AGE": "60",
            "CACHE_URL": f"redis://{HOST}:{REDIS_PORT}/0",
            "MEDIA_STORAGE": "s3",
            "AWS_S3_ENDPOINT_URL": f"http://{HOST}:{S3_PORT}",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster-secret",
            "STATIC_ROOT": str(CLUSTER / "static"),
            "LOG_LEVEL": "WARNING",
            # nginx passes the client's address; every test client here is 127.0.0.1, so
            # the per-source limits are raised (never do this in production).
            "TIPS_CLIENT_IP_HEADER": "X-Real-IP",
            "TIPS_RATE_SUBMIT": "1000000/3600",
            "TIPS_RATE_CHALLENGE": "1000000/600",
            "TIPS_RATE_FOLLOW": "1000000/3600",
            "TIPS_RATE_LOOKUP": "1000000/600",
            "TIPS_POW_BITS": "8",
            # Shorter schedules so the check sees them fire: SLA escalation and the requeue
            # of tasks whose worker died every minute (both every few minutes in production).
            "SCHEDULER_CRONTABS": "tips_escalate=* * * * *;tasks_requeue=* * * * *",
            "TASKS_REQUEUE_GRACE_SECONDS": "10",
            "BACKUP_DIR": str(CLUSTER / "backups"),
        }
    )
    # Anything CLUSTER_ENV_<NAME> overrides <NAME> (e.g. shorter schedules for the check).
    for key, value in os.environ.items():
        if key.startswith("CLUSTER_ENV_"):
            env[key.removeprefix("CLUSTER_ENV_")] = value
    return env


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    run([PY, "manage.py", *args], cwd=ROOT, env=env or django_env())


def has_command(name: str) -> bool:
    result = subprocess.run(  # noqa: S603
        [PY, "manage.py", "help", name],
        cwd=ROOT,
        env=django_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_ctl(data: Path, action: str, port: int | None = None) -> None:
    cmd = [*as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "120"]
    if action == "start":
        cmd += ["-l", str(data.parent / f"{data.name}.log"), "-o", f"-p {port} -k {CLUSTER / 'pg'}"]
    if action == "stop":
        cmd += ["-m", "fast"]
    run([*cmd, action])


def pg_running(data: Path) -> bool:
    return (data / "postmaster.pid").exists() and (
        subprocess.run(  # noqa: S603
            [*as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(data), "status"],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )


PRIMARY_CONF = """
# Bình Yên cluster (tools/cluster.py): the primary.
listen_addresses = '127.0.0.1'
max_connections = 60
shared_buffers = 64MB
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
hot_standby_feedback = on
archive_mode = on
archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'
synchronous_commit = on
log_min_duration_statement = 5000
"""

PRIMARY_HBA = """
# Bình Yên cluster: loopback only. Production uses scram-sha-256 (docs/deployment.md).
local   all             all                                     trust
host    all             all             127.0.0.1/32            trust
host    replication     all             127.0.0.1/32            trust
"""


def start_postgres() -> None:
    pg_dir = CLUSTER / "pg"
    primary, replica, archive = pg_dir / "primary", pg_dir / "replica", pg_dir / "wal-archive"
    pg_dir.mkdir(parents=True, exist_ok=True)
    archive.mkdir(exist_ok=True)
    chown_postgres(pg_dir)
    if os.environ.get("CLUSTER_FRESH") == "1":
        shutil.rmtree(primary, ignore_errors=True)
    if not (primary / "PG_VERSION").exists():
        shutil.rmtree(primary, ignore_errors=True)
        shutil.rmtree(replica, ignore_errors=True)
        for stale in archive.iterdir():
            stale.unlink()
        log(f"initdb: primary in {primary}")
        run(
            [
                *as_postgres(),
                str(PG_BIN / "initdb"),
                "-D",
                str(primary),
                "-U",
                PG_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            stdout=subprocess.DEVNULL,
        )
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(PRIMARY_CONF.format(archive=archive))
        (primary / "pg_hba.conf").write_text(PRIMARY_HBA)
        chown_postgres(pg_dir)
    log(f"PostgreSQL primary on {HOST}:{PG_PORT}")
    pg_ctl(primary, "start", PG_PORT)
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"
    psql = [str(PG_BIN / "psql"), "-h", HOST, "-p", str(PG_PORT), "-U", PG_USER, "-tAc", query]
    exists = run(psql, capture_output=True).stdout.strip()
    if exists != "1":
        run([str(PG_BIN / "createdb"), "-h", HOST, "-p", str(PG_PORT), "-U", PG_USER, DB_NAME])
    if not (replica / "PG_VERSION").exists():
        shutil.rmtree(replica, ignore_errors=True)
        log("pg_basebackup -R: the streaming replica")
        run(
            [
                *as_postgres(),
                str(PG_BIN / "pg_basebackup"),
                "-h",
                HOST,
                "-p",
                str(PG_PORT),
                "-U",
                PG_USER,
                "-D",
                str(replica),
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
            ]
        )
        with open(replica / "postgresql.conf", "a") as conf:
            # The copy carries the primary's settings; a replica archives nothing itself.
            conf.write("\n# The replica.\narchive_mode = off\n")
        chown_postgres(replica)
    log(f"PostgreSQL replica on {HOST}:{REPLICA_PORT} (streaming from {PG_PORT})")
    pg_ctl(replica, "start", REPLICA_PORT)


def stop_postgres() -> None:
    for name in ("replica", "primary"):
        data = CLUSTER / "pg" / name
        if pg_running(data):
            log(f"stopping PostgreSQL {name}")
            pg_ctl(data, "stop")


# --- Redis, S3, nginx -------------------------------------------------------------------------


def start_redis() -> None:
    (CLUSTER / "redis").mkdir(exist_ok=True)
    log(f"Redis on {HOST}:{REDIS_PORT}")
    spawn(
        "redis",
        [
            "redis-server",
            "--bind",
            HOST,
            "--port",
            str(REDIS_PORT),
            "--dir",
            str(CLUSTER / "redis"),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        os.environ.copy(),
    )
    wait_port(REDIS_PORT, "Redis")


def start_s3() -> None:
    log(f"S3-compatible server (moto) on {HOST}:{S3_PORT}")
    spawn("s3", [str(VENV_BIN / "moto_server"), "-H", HOST, "-p", str(S3_PORT)], os.environ.copy())
    wait_port(S3_PORT, "moto_server")
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=f"http://{HOST}:{S3_PORT}",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster-secret",  # noqa: S106 - a local test server
        region_name="us-east-1",
    )
    names = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if BUCKET not in names:
        client.create_bucket(Bucket=BUCKET)


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    log("installing Debian's nginx-light (apt-get)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run([*sudo, "apt-get", "update", "-qq"], env=apt_env)
    run([*sudo, "apt-get", "install", "-y", "-qq", "nginx-light"], env=apt_env)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_conf() -> str:
    template = (ROOT / "deploy" / "nginx" / "binhyen.conf").read_text()
    upstreams = "\n".join(
        f"    server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in APP_PORTS
    )
    site = re.sub(
        r"# @UPSTREAMS@.*?# @END-UPSTREAMS@", upstreams.strip(), template, flags=re.DOTALL
    )
    site = site.replace("listen 443 ssl http2;", f"listen {HOST}:{LB_PORT};").replace(
        "/srv/binhyen/static/", f"{CLUSTER / 'static'}/"
    )
    # The cluster has no certificate: drop the TLS lines and the HTTP->HTTPS server.
    lines = [
        line for line in site.splitlines() if not line.strip().startswith(("ssl_", "server_name"))
    ]
    site = "\n".join(lines)
    site = site.split("# @HTTP-REDIRECT@")[0]
    user = "user www-data;" if os.geteuid() == 0 else ""
    tmp = CLUSTER / "nginx" / "tmp"
    return f"""{user}
worker_processes 1;
pid {RUN / "nginx.pid"};
error_log {LOG / "nginx-error.log"} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {LOG / "nginx-access.log"};
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    keepalive_timeout 30;
{site}
}}
"""


def start_nginx() -> None:
    nginx = ensure_nginx()
    conf_dir = CLUSTER / "nginx"
    (conf_dir / "tmp").mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam("www-data")
        os.chown(conf_dir / "tmp", entry.pw_uid, entry.pw_gid)
    conf = conf_dir / "nginx.conf"
    conf.write_text(nginx_conf())
    run([nginx, "-t", "-q", "-c", str(conf), "-p", str(conf_dir)])
    log(f"nginx load balancer on {HOST}:{LB_PORT} -> {', '.join(map(str, APP_PORTS))}")
    run([nginx, "-c", str(conf), "-p", str(conf_dir)])
    wait_http(LB_PORT, "nginx")


def stop_nginx() -> None:
    pid = read_pid("nginx")
    if pid is None:
        return
    log(f"stopping nginx (pid {pid})")
    os.kill(pid, signal.SIGQUIT)  # graceful: finish the requests in flight
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and read_pid("nginx") is not None:
        time.sleep(0.2)
    if read_pid("nginx") is not None:
        os.kill(pid, signal.SIGKILL)


# --- Django processes ---------------------------------------------------------------------------


def app_command(index: int) -> list[str]:
    port = APP_PORTS[index]
    return [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", "1",
        "--worker-class", "gthread",
        "--threads", "2",
        "--keep-alive", "30",
        "--timeout", "60",
        "--graceful-timeout", "20",
        "--max-requests", "5000",
        "--max-requests-jitter", "500",
        "--log-level", "warning",
    ]  # fmt: skip


def start_app(index: int) -> None:
    name = f"app{index + 1}"
    log(f"gunicorn {name} on {HOST}:{APP_PORTS[index]}")
    spawn(name, app_command(index), django_env())


def prepare_database() -> None:
    env = django_env()
    log("migrate (once, on the primary)")
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    import psycopg

    url = env["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        communes = conn.execute(
            "SELECT count(*) FROM orgunits_orgunit WHERE kind = 'commune' AND valid_to IS NULL"
        ).fetchone()[0]
        demo = conn.execute(
            "SELECT count(*) FROM accounts_user WHERE username = 'demo_admin'"
        ).fetchone()[0]
    if communes < 3000:
        log("importing the administrative map (once)")
        manage("orgunits_import", "-v", "0", env=env)
    if not demo:
        log("loading the demo (once)")
        manage("demo_load", env=env)


def worker_commands() -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    if has_command("db_worker"):
        for i in range(WORKERS):
            commands.append((f"worker{i + 1}", [PY, "manage.py", "db_worker", "--no-reload"]))
    else:
        log("this code has no `manage.py db_worker`: no task workers")
    if has_command("scheduler"):
        commands.append(("scheduler", [PY, "manage.py", "scheduler"]))
    else:
        log("this code has no `manage.py scheduler`: no scheduler")
    return commands


def start() -> None:
    stop(quiet=True)
    for path in (CLUSTER, RUN, LOG):
        path.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    start_postgres()
    start_redis()
    start_s3()
    prepare_database()
    for index in range(len(APP_PORTS)):
        start_app(index)
    for index, port in enumerate(APP_PORTS):
        wait_http(port, f"app{index + 1}")
    start_nginx()
    for name, cmd in worker_commands():
        log(f"{name}: {' '.join(cmd[1:])}")
        spawn(name, cmd, django_env())
    (CLUSTER / "cluster.json").write_text(json.dumps(describe(), indent=2))
    log(f"up in {time.monotonic() - started:.0f} s: http://{HOST}:{LB_PORT}/  (make cluster-stop)")


def describe() -> dict[str, Any]:
    names = ["redis", "s3", *[f"app{i + 1}" for i in range(len(APP_PORTS))], "nginx"]
    names += [f"worker{i + 1}" for i in range(WORKERS)] + ["scheduler"]
    return {
        "load_balancer": f"http://{HOST}:{LB_PORT}/",
        "app_servers": [f"http://{HOST}:{p}/" for p in APP_PORTS],
        "primary": f"{HOST}:{PG_PORT}",
        "replica": f"{HOST}:{REPLICA_PORT}",
        "redis": f"{HOST}:{REDIS_PORT}",
        "s3": f"http://{HOST}:{S3_PORT}/{BUCKET}",
        "processes": {name: read_pid(name) for name in names},
        "postgres": {
            "primary": pg_running(CLUSTER / "pg" / "primary"),
            "replica": pg_running(CLUSTER / "pg" / "replica"),
        },
    }


def running() -> bool:
    """True when some part of a cluster started here is still running."""
    state = describe()
    return any(state["processes"].values()) or any(state["postgres"].values())


def stop(quiet: bool = False) -> None:
    if not CLUSTER.exists():
        return
    RUN.mkdir(parents=True, exist_ok=True)
    if not quiet or running():
        log("stopping the cluster")
    # Reverse order: no new work first, then the servers, then the state.
    for name in ["scheduler", *[f"worker{i + 1}" for i in range(WORKERS)]]:
        stop_pid(name, timeout=30)
    stop_nginx()
    for index in range(len(APP_PORTS)):
        stop_pid(f"app{index + 1}")
    stop_pid("s3", timeout=10)
    stop_pid("redis", timeout=10)
    stop_postgres()


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else "start"
    if action == "start":
        try:
            start()
        except Exception:
            log("start failed: stopping what started (logs in var/cluster/log/)")
            stop()
            raise
    elif action == "stop":
        stop()
        log("stopped")
    elif action == "status":
        print(json.dumps(describe(), indent=2))
    elif action == "env":
        for key, value in sorted(django_env().items()):
            print(f"{key}={value}")
    else:
        print("usage: cluster.py start|stop|status|env", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
