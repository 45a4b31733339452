"""Who is with a human agent: transferred while the session runs, resumed once after WeChat's 30 minutes."""
import asyncio
from typing import List

import fakeredis
import pytest

from channels.wechat.agent_sessions import AGENT_SESSION_SECONDS, AgentSessions, AgentState


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def instances(kind: str, clock: Clock, count: int) -> List[AgentSessions]:
    if kind == "memory":
        return [AgentSessions(clock=clock)] * count  # one process: every request sees the same object
    server = fakeredis.FakeServer()
    return [AgentSessions(redis_client=fakeredis.FakeAsyncRedis(server=server), clock=clock) for _ in range(count)]


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_session_is_active_for_thirty_minutes_then_expires_exactly_once(kind: str) -> None:
    clock = Clock()
    first, second = instances(kind, clock, 2)

    async def scenario():
        seen = [await second.state("o-1")]
        await first.started("o-1")
        clock.now += AGENT_SESSION_SECONDS - 1
        seen += [await second.state("o-1"), await first.state("o-1")]
        clock.now += 2
        seen += [await second.state("o-1"), await first.state("o-1"), await second.state("o-1")]
        return seen

    assert asyncio.run(scenario()) == [
        AgentState.NONE, AgentState.ACTIVE, AgentState.ACTIVE, AgentState.EXPIRED, AgentState.NONE, AgentState.NONE
    ]


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_an_agent_closing_the_session_ends_it_for_every_instance(kind: str) -> None:
    clock = Clock()
    first, second = instances(kind, clock, 2)

    async def scenario():
        await first.started("o-2")
        ended = [await second.ended("o-2"), await first.ended("o-2")]
        return ended, await first.state("o-2"), await second.state("o-2")

    assert asyncio.run(scenario()) == ([True, False], AgentState.NONE, AgentState.NONE)


def test_redis_records_outlive_the_agent_session_but_not_forever() -> None:
    redis = fakeredis.FakeAsyncRedis()

    async def scenario():
        await AgentSessions(redis_client=redis).started("o-3")
        return await redis.ttl("wechat:agent:o-3")

    assert AGENT_SESSION_SECONDS < asyncio.run(scenario()) <= AgentSessions.RECORD_TTL_SECONDS
