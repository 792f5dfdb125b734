"""The raw pages are the project's data: they must stay byte-for-byte what was scraped."""

import hashlib

EXPECTED_SHA256 = {
    "000_786013f1ef10bced.txt": "93d6972aef9f370dd7c21bf8471b4b40af2ddee7f10f8be139f594305876b524",
    "001_ebcc36c3b1595f89.txt": "b9c50de34b43d356a98c126bea88a4d0ffdeb111cdd72c7408b915e2add4a8db",
    "002_f5720e37d39fd83a.txt": "d0b63ea1dbdd10d18686a4f0d7b5a41d14c3fb411470a53a7a5daa81e3322f4a",
    "003_c52d0679af3027a5.txt": "edd252c026c8c47544813661b943d75562dce9f68935cbb8cc69a37029a18406",
}


def test_raw_pages_are_unmodified(raw_dir):
    found = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw_dir.glob("*.txt")}
    assert found == EXPECTED_SHA256
