"""What every TokenStore must do (organizer tokens by digest); subclassed per backend
(test_sqlite.py, test_cassandra.py) through the `store` fixture."""

from questline.ports import Store
from tests.conformance.samples import BackendCase


class TokenStoreConformance(BackendCase):
    def test_a_token_added_is_found_with_its_role(self, store: Store) -> None:
        store.tokens.add("digest-1", "organizer", 1_000)
        store.tokens.add("digest-2", "operator", 2_000)
        assert store.tokens.role_of("digest-1") == "organizer"
        assert store.tokens.role_of("digest-2") == "operator"

    def test_an_unknown_digest_has_no_role(self, store: Store) -> None:
        assert store.tokens.role_of("never-added") is None
        store.tokens.add("digest-1", "organizer", 1_000)
        assert store.tokens.role_of("digest-1-but-not-quite") is None
