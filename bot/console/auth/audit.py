"""The audit log: every transcript view, login, refused login and logout, with operator and address."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from sqlalchemy import insert, select

from bot.console import tables as t


class AuditLog:
    def __init__(self, console_url: str) -> None:
        self.engine = t.console_engine(console_url)

    def record(self, operator: str, action: str, subject: Optional[str] = None, address: Optional[str] = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(t.audit_log).values(at=time.time(), operator=operator, action=action, subject=subject, address=address))

    def entries(self, limit: int = 100) -> List[Dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)).mappings().all()
        return [dict(row) for row in rows]
