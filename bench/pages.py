"""Response times of the pages trainers use every week, on a national-scale database.

Requests go through the whole Flask stack (routing, access checks, queries, templates) in
this process, one at a time, as a signed-in trainer of the busiest site.

    python -m bench.pages [--database-url URL] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

from bench.common import absolute_sqlite, summary, timed


def run(database_url: str, info: dict, repeat: int = 30) -> list[dict]:
    from oep import create_app

    database_url = absolute_sqlite(database_url)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
        instance_path=str(Path("bench/out/instance").resolve()),
    )
    client = app.test_client()
    response = client.post("/login", data={"email": info["trainer_email"], "password": info["password"]})
    assert response.status_code == 302, "bench trainer could not sign in"
    site, session_id = info["site_id"], info["busiest_session_id"]
    month = (date.today() - timedelta(days=20)).isoformat()
    pages = [
        ("schedule (list, 8 weeks)", f"/sites/{site}/schedule?date={month}"),
        ("schedule (month)", f"/sites/{site}/schedule?view=month&date={month}"),
        ("schedule (week)", f"/sites/{site}/schedule?view=week&date={month}"),
        ("attendance page (roster of 250)", f"/sessions/{session_id}/attendance"),
        ("session page", f"/sessions/{session_id}"),
        ("site attendance overview", f"/sites/{site}/attendance"),
        ("organisations list", "/organisations"),
        ("dashboard", "/dashboard"),
    ]
    results = []
    for label, url in pages:
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        body = response.get_data(as_text=True)
        items = body.count('class="session-link') + body.count('class="cal-item') + body.count("<tr")
        results.append(
            {
                "page": label,
                "url": url,
                "kb": round(len(body) / 1024),
                "items": items,
                **summary(timed(lambda url=url: client.get(url), repeat)),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.sqlite")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    info = json.loads(Path("bench/out/national.json").read_text())
    for row in run(args.database_url, info, args.repeat):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
