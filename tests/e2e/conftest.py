from typing import Iterator

import pytest

from tests.e2e.servers import RunningBot, start_bot


@pytest.fixture(scope="session")
def rest_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    from bot.demo.seed import seed

    workdir = tmp_path_factory.mktemp("rest-bot")
    database_url = f"sqlite:///{workdir}/backends.db"
    seed(database_url)
    bot = start_bot(workdir, database_url)
    yield bot
    bot.stop()
