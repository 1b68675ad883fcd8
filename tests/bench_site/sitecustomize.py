"""Imported at start-up by every Python process that tests/test_bench_smoke.py starts (it puts this folder on
their PYTHONPATH): passwords are hashed with one PBKDF2 iteration instead of Django's million, as the suite's
own fast hasher does (conftest.py). `seed_demo` hashes 31 demo passwords, about 7 s of CPU for each database
a benchmark seeds, and no benchmark measures logging in. Never on the path of `make run` or `make bench`."""

from django.contrib.auth import hashers

hashers.PBKDF2PasswordHasher.iterations = 1
