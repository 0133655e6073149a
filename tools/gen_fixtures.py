"""Regenerates every PyTorch fixture under test/fixtures (npm run fixtures).

Needs Debian's PyTorch (apt-get install -y python3-torch) and runs under /usr/bin/python3.
Each generator is deterministic (seeded); PYTHONHASHSEED is pinned because the optimizer
cases seed from hash(name).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATORS = ["gen_rnn_fixtures.py", "gen_ops_fixtures.py", "gen_optim_fixtures.py"]


def main():
    env = dict(os.environ, PYTHONHASHSEED="0")
    for g in GENERATORS:
        print(f"== {g}", flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, g)], check=True, env=env)


if __name__ == "__main__":
    main()
