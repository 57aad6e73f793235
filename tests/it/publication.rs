//! The quarterly publication (R16, D3, F5): refused before the quarter ends; on the first working
//! day after it, 09:00 Asia/Shanghai, one frozen snapshot per village with its digest, one group
//! notice through the outbox (two replicas running the job at once change nothing), the public
//! list, board page, spreadsheet and A3 poster, the villager's own line, the job runs.

use aidazu_app::publication::{PublishOutcome, digest_of};
use aidazu_domain::VillageId;
use aidazu_testkit::{TestDb, dual_db_test};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::kit::*;
use crate::support::{env, fast_workers};

fn q(label: &str) -> aidazu_domain::calendar::Quarter {
    label.parse().unwrap()
}

dual_db_test!(
    async fn r16_publication_is_refused_before_the_quarter_ends_then_published_once_at_09_00(
        db: TestDb,
    ) {
        // Wed 30 Sep 2026, 10:00 Shanghai: Q3 (calendar year) has not ended.
        let start = "2026-09-30T02:00:00Z".parse().unwrap();
        let (t, clock) = spawn_at(db, start, fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let admin = login(&t, "demo-admin").await;
        let group = set_notice_group(&t, &admin, heping, "和平村").await;

        let refused = t
            .app
            .publish_quarter(VillageId(heping), q("2026-Q3"), "cli")
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "publication.quarter_not_ended");
        assert!(
            refused.message().contains("尚未结束"),
            "{}",
            refused.message()
        );
        let (status, body) =
            get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["publications"], json!([]), "nothing written");
        let (_, jobs) = get(&t, "/api/v1/admin/jobs", Some(&admin.token)).await;
        assert_eq!(jobs["runs"], json!([]), "no run recorded: {jobs}");

        // 1–7 Oct are the National Day holidays: Thu 8 Oct is the first working day. At 08:59
        // nothing is due, at 09:00 it is.
        clock.set("2026-10-08T00:59:00Z".parse().unwrap());
        assert_eq!(
            t.app.due_publication(VillageId(heping)).await.unwrap(),
            None
        );
        clock.advance(Duration::minutes(1));
        assert_eq!(
            t.app.due_publication(VillageId(heping)).await.unwrap(),
            Some(q("2026-Q3"))
        );

        // Tokens do not last the week: log in again.
        let admin = login(&t, "demo-admin").await;
        let villager = login(&t, "demo-villager").await;

        // Two replicas run the scheduler at the same moment: one publication, one notice.
        let replica = t
            .spawn_replica(vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")])
            .await;
        let (a, b) = tokio::join!(t.app.run_due_jobs(), replica.app.run_due_jobs());
        assert_eq!(a.unwrap() + b.unwrap(), 4, "each of the four villages once");
        let again = t
            .app
            .publish_quarter(VillageId(heping), q("2026-Q3"), "cli")
            .await
            .unwrap();
        assert!(
            matches!(again, PublishOutcome::AlreadyPublished(_)),
            "{again:?}"
        );

        let (status, list) =
            get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let pubs = list["publications"].as_array().unwrap();
        assert_eq!(pubs.len(), 1, "{list}");
        let p = &pubs[0];
        assert_eq!(p["quarter"], "2026-Q3");
        assert_eq!(p["version"], 1);
        assert_eq!(p["publishedOn"], "2026-10-08");
        assert_eq!(p["objectionLastDay"], "2026-10-15", "D3: 7 calendar days");
        let digest = p["digest"].as_str().unwrap().to_owned();

        // The board (JSON): masked names, competition ranks, the digest over the canonical text.
        let (status, board) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        assert_eq!(digest_of(board["canonical"].as_str().unwrap()), digest);
        let rows = board["rows"].as_array().unwrap();
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r["name"].as_str().unwrap().contains('*')
                    || r["name"].as_str().unwrap().starts_with("户号")),
            "{rows:?}"
        );
        let mut prev: Option<(i64, i64)> = None;
        for (i, r) in rows.iter().enumerate() {
            let (rank, score) = (r["rank"].as_i64().unwrap(), r["score"].as_i64().unwrap());
            match prev {
                Some((pr, ps)) if ps == score => assert_eq!(rank, pr),
                Some((_, ps)) => {
                    assert!(score < ps);
                    assert_eq!(rank, i64::try_from(i).unwrap() + 1);
                }
                None => assert_eq!(rank, 1),
            }
            prev = Some((rank, score));
        }
        assert!(
            !board["canonical"].as_str().unwrap().contains("唐平"),
            "no full names"
        );

        // One group notice, through the outbox, with the top households, the average, the
        // deadline and the board link.
        let key = format!("notify.group:publication:{heping}:2026-Q3:v1");
        let sent = outbox_settled(&t, &key).await;
        assert_eq!(sent.status, "sent", "{sent:?}");
        let messages = group_messages(&t, &group).await;
        assert_eq!(messages.len(), 1, "{messages:?}");
        let text = messages[0].to_string();
        for needle in [
            "和平村",
            "2026-10-15",
            "平均年度积分",
            &format!("/board/{heping}/2026-Q3"),
            &digest[..12],
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        // The district's summary once all four villages have published.
        let summary = outbox_by_key(&t, "notify.work:publication.district:1:2026-Q3").await;
        assert!(summary.is_some(), "district summary enqueued");

        // The public board page: no login, Chinese, readable.
        let page = get_response(&t, &format!("/board/{heping}/2026-Q3"), None).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        for needle in [
            "和平村",
            "html{font-size:18px}",
            "异议期至",
            &digest,
            "名次",
        ] {
            assert!(html.contains(needle), "{needle} in the page");
        }

        // The spreadsheet.
        let xlsx = get_response(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3/board.xlsx"),
            None,
        )
        .await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(
            xlsx.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        assert!(
            xlsx.bytes().await.unwrap().starts_with(b"PK"),
            "a zip (xlsx)"
        );

        // The villager's own line.
        let (status, mine) = get(&t, "/api/v1/me/publications", Some(&villager.token)).await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        assert_eq!(mine["publications"][0]["digest"], digest.as_str());
        assert!(
            mine["publications"][0]["mine"]["rank"].as_i64().is_some(),
            "{mine}"
        );

        // The runs, visible to the admin: done, with progress.
        let (status, jobs) = get(&t, "/api/v1/admin/jobs", Some(&admin.token)).await;
        assert_eq!(status, StatusCode::OK, "{jobs}");
        let runs: Vec<&serde_json::Value> = jobs["runs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["job"] == "publish")
            .collect();
        assert_eq!(
            runs.len(),
            1,
            "the admin sees the village's run only: {jobs}"
        );
        assert!(
            jobs["runs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["villageId"] == heping),
            "{jobs}"
        );
        assert_eq!(runs[0]["status"], "done");
        assert_eq!(runs[0]["period"], "2026-Q3");
        assert_eq!(runs[0]["progressDone"], runs[0]["progressTotal"]);
        let (status, body) = get(&t, "/api/v1/admin/jobs", Some(&villager.token)).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");

        // Bad paths in the one envelope.
        let (status, body) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q9"),
            None,
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "request.invalid_path",
        );
        let (status, body) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q2"),
            None,
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::NOT_FOUND,
            "publication.not_found",
        );
        drop(replica);
    }
);

dual_db_test!(
    async fn r16_the_a3_poster_carries_the_village_a_masked_name_and_the_digest(db: TestDb) {
        let start = "2026-10-08T02:00:00Z".parse().unwrap();
        let (t, _clock) = spawn_at(db, start, vec![]).await;
        let heping = village_id(&t, "heping").await;
        let published = t
            .app
            .publish_quarter(VillageId(heping), q("2026-Q3"), "cli")
            .await
            .unwrap();
        let p = published.publication().unwrap().clone();
        let masked = p.content.rows[0].name.clone();

        let resp = get_response(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3/poster.pdf"),
            None,
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "application/pdf");
        let pdf = resp.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("poster.pdf");
        std::fs::write(&path, &pdf).unwrap();

        let info = std::process::Command::new("pdfinfo")
            .arg(&path)
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout).to_string();
        let size = info
            .lines()
            .find(|l| l.starts_with("Page size:"))
            .unwrap_or_else(|| panic!("page size in {info}"));
        let nums: Vec<f64> = size
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        // A3 is 297 × 420 mm = 841.89 × 1190.55 pt (Chromium rounds to whole pixels).
        assert!(
            (nums[0] - 841.89).abs() < 2.0 && (nums[1] - 1190.55).abs() < 2.0,
            "{size}"
        );

        let text = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout).to_string();
        for needle in [
            "和平村",
            masked.as_str(),
            &p.digest[..32],
            "和平村村民委员会",
            "异议期至",
        ] {
            assert!(text.contains(needle), "{needle} in the poster text: {text}");
        }
        // Kept for a person to look at (rendered once to PNG by the author; see docs/poster.md).
        if let Ok(out) = std::env::var("AIDAZU_KEEP_POSTER") {
            std::fs::write(out, &pdf).unwrap();
        }
    }
);

dual_db_test!(
    async fn r16_poster_without_a_printer_is_a_clear_error(db: TestDb) {
        let start = "2026-10-08T02:00:00Z".parse().unwrap();
        let (t, _clock) = spawn_at(
            db,
            start,
            vec![env("AIDAZU__JOBS__CHROMIUM", "/nonexistent/chromium")],
        )
        .await;
        let heping = village_id(&t, "heping").await;
        t.app
            .publish_quarter(VillageId(heping), q("2026-Q3"), "cli")
            .await
            .unwrap();
        let (status, body) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3/poster.pdf"),
            None,
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::SERVICE_UNAVAILABLE,
            "publication.poster_unavailable",
        );
    }
);

dual_db_test!(
    async fn r16_console_previews_then_publishes_now_once_with_the_person_in_the_audit(db: TestDb) {
        // Fri 2 Oct 2026, 10:00 Shanghai: Q3 has ended; the scheduler waits for Thu 8 Oct.
        let start = "2026-10-02T02:00:00Z".parse().unwrap();
        let (t, _clock) = spawn_at(db, start, fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let cihang = village_id(&t, "cihang").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let committee = login_as(&t, "demo-committee", "console").await;
        let villager = login(&t, "demo-villager").await;
        let preview = format!("/api/v1/admin/villages/{heping}/publications/2026-Q3/preview");
        let publish = format!("/api/v1/admin/villages/{heping}/publications/2026-Q3/publish");

        // Who may not: a villager (403), another village's admin sees no such village (404);
        // a quarter still running (409) and a malformed one (400) change nothing.
        let (status, body) = get(&t, &preview, Some(&villager.token)).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) = post(&t, &publish, Some(&villager.token), json!({})).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/villages/{cihang}/publications/2026-Q3/preview"),
            Some(&admin.token),
        )
        .await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "village.not_found");
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/villages/{heping}/publications/2026-Q4/publish"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "publication.quarter_not_ended",
        );
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/villages/{heping}/publications/2026-Q9/preview"),
            Some(&admin.token),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "request.invalid_path",
        );

        // The notice group the console shows: none yet, then the one the admin sets; staff only.
        let notice = format!("/api/v1/admin/villages/{heping}/notice-group");
        let (status, none) = get(&t, &notice, Some(&committee.token)).await;
        assert_eq!(status, StatusCode::OK, "{none}");
        assert_eq!(none["group"], serde_json::Value::Null);
        let (status, body) = get(&t, &notice, Some(&villager.token)).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let group = set_notice_group(&t, &admin, heping, "和平村").await;
        let (_, set) = get(&t, &notice, Some(&committee.token)).await;
        assert_eq!(set["group"]["openConversationId"], group.as_str());

        // The preview: the scheduled day, its window, every ranked household; nothing stored.
        let (status, seen) = get(&t, &preview, Some(&admin.token)).await;
        assert_eq!(status, StatusCode::OK, "{seen}");
        assert_eq!(seen["plannedOn"], "2026-10-08");
        assert_eq!(seen["published"], false);
        assert_eq!(seen["villageName"], "和平村");
        let rows = seen["rows"].as_array().unwrap();
        assert!(rows.len() > 10, "{seen}");
        assert_eq!(seen["households"], rows.len());
        assert_eq!(rows[0]["rank"], 1);
        let (_, latest) = get(
            &t,
            &format!("/api/v1/admin/villages/{heping}/publications/latest/preview"),
            Some(&committee.token),
        )
        .await;
        assert_eq!(latest["quarter"], "2026-Q3", "the last ended quarter");
        assert_eq!(latest["rows"], seen["rows"]);
        let (_, list) = get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        assert_eq!(list["publications"], json!([]), "a preview stores nothing");

        // The committee publishes now; a second press, by anyone, publishes nothing more.
        let (status, done) = post(&t, &publish, Some(&committee.token), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["outcome"], "published");
        assert_eq!(done["publication"]["publishedOn"], "2026-10-02");
        assert_eq!(done["publication"]["households"], rows.len());
        let (status, again) = post(&t, &publish, Some(&admin.token), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["outcome"], "already_published");
        assert_eq!(again["publication"]["id"], done["publication"]["id"]);
        let (_, list) = get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        assert_eq!(list["publications"].as_array().unwrap().len(), 1);

        // The published board has the preview's ranking (same code, same figures).
        let (_, board) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3"),
            None,
        )
        .await;
        let ranks = |v: &serde_json::Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["householdCode"].clone(),
                        r["rank"].clone(),
                        r["score"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(ranks(&board["rows"]), ranks(&seen["rows"]));

        // The run says who asked; the audit names the committee member.
        let (_, jobs) = get(&t, "/api/v1/admin/jobs", Some(&admin.token)).await;
        let run = jobs["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["villageId"] == heping && r["period"] == "2026-Q3")
            .cloned()
            .unwrap();
        assert_eq!(run["trigger"], "console");
        let audit = village_audit(&t, &admin.token, heping).await;
        let published = audit
            .iter()
            .find(|a| a["action"] == "publication.published")
            .unwrap();
        assert_eq!(published["role"], "village_committee", "{published}");
    }
);

dual_db_test!(
    async fn r16_publish_all_runs_villages_side_by_side_once_each_and_equals_the_ledger_board(
        db: TestDb,
    ) {
        use aidazu_domain::calendar::business_date;
        use aidazu_domain::ledger::HouseholdYearLedger;
        use aidazu_domain::org::household_participates;

        // Thu 8 Oct 2026, 10:00 Shanghai: Q3 has ended.
        let start = "2026-10-08T02:00:00Z".parse().unwrap();
        let (t, _clock) = spawn_at(db, start, fast_workers()).await;
        let quarter = q("2026-Q3");
        let outcomes = t.app.publish_all(quarter, "cli", |_, _| {}).await.unwrap();
        assert_eq!(outcomes.len(), 4, "{outcomes:?}");
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o.outcome, Ok(PublishOutcome::Published(_)))),
            "{outcomes:?}"
        );
        // F5: the district's summary once, after the run.
        assert!(
            outbox_by_key(&t, "notify.work:publication.district:1:2026-Q3")
                .await
                .is_some()
        );
        // A rerun publishes nothing.
        let again = t.app.publish_all(quarter, "cli", |_, _| {}).await.unwrap();
        assert!(
            again
                .iter()
                .all(|o| matches!(o.outcome, Ok(PublishOutcome::AlreadyPublished(_)))),
            "{again:?}"
        );

        // Every board, read from the maintained per-quarter figures, equals the domain's board
        // over the households' ledgers cut at the quarter's last day (what it used to rebuild).
        let db = t.store().connection();
        for o in &outcomes {
            let Ok(PublishOutcome::Published(p)) = &o.outcome else {
                unreachable!()
            };
            let calendar = t.store().village_calendar(o.village).await.unwrap();
            let cut = calendar.quarter_last_day(quarter);
            let (members, history) = aidazu_store::households::village_participation(db, o.village)
                .await
                .unwrap();
            let entries =
                aidazu_store::ledger::village_entries(db, o.village, quarter.points_year())
                    .await
                    .unwrap();
            let mut ledgers = Vec::new();
            let mut households: Vec<_> = members
                .iter()
                .filter(|(_, m)| household_participates(m, &history, cut))
                .map(|(h, _)| *h)
                .collect();
            households.sort();
            for h in households {
                let own = entries
                    .iter()
                    .filter(|e| e.entry.household == h && business_date(e.entry.occurred_at) <= cut)
                    .map(|e| e.entry.clone());
                ledgers.push(
                    HouseholdYearLedger::from_entries(h, quarter.points_year(), calendar, own)
                        .unwrap(),
                );
            }
            let refs: Vec<&HouseholdYearLedger> = ledgers.iter().collect();
            let expected: Vec<_> = aidazu_domain::board::publication_rows(&refs, quarter)
                .iter()
                .map(|r| {
                    (
                        r.rank,
                        r.quarter_points.get(),
                        r.score.get(),
                        r.balance.get(),
                    )
                })
                .collect();
            let got: Vec<_> = p
                .content
                .rows
                .iter()
                .map(|r| (r.rank, r.quarter_points, r.score, r.balance))
                .collect();
            assert!(!got.is_empty(), "{}", o.code);
            assert_eq!(got, expected, "{}", o.code);
        }
    }
);

dual_db_test!(
    async fn r16_a_scheduler_pass_told_to_stop_ends_between_villages_and_leaves_no_run_running(
        db: TestDb,
    ) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        // Thu 8 Oct 2026, 09:00 Shanghai: Q3 is due in every demo village.
        let start = "2026-10-08T01:00:00Z".parse().unwrap();
        let (t, _clock) = spawn_at(db, start, fast_workers()).await;
        // Shutdown arrives while the first village is being published: the pass finishes that
        // village (its claimed run is done, never left `running`) and stops before the next.
        let asked = AtomicUsize::new(0);
        let stop = || asked.fetch_add(1, Ordering::SeqCst) >= 1;
        assert_eq!(t.app.run_due_jobs_until(&stop).await.unwrap(), 1);
        assert_eq!(
            asked.load(Ordering::SeqCst),
            2,
            "stopped at the next village boundary"
        );

        let district = login(&t, "demo-district").await;
        let publish_runs = |jobs: &serde_json::Value| -> Vec<serde_json::Value> {
            jobs["runs"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["job"] == "publish")
                .cloned()
                .collect()
        };
        let (_, jobs) = get(&t, "/api/v1/admin/jobs", Some(&district.token)).await;
        let runs = publish_runs(&jobs);
        assert_eq!(runs.len(), 1, "{jobs}");
        assert_eq!(runs[0]["status"], "done", "{jobs}");

        // The next pass publishes the rest.
        assert_eq!(t.app.run_due_jobs().await.unwrap(), 3);
        let (_, jobs) = get(&t, "/api/v1/admin/jobs", Some(&district.token)).await;
        let runs = publish_runs(&jobs);
        assert_eq!(runs.len(), 4, "{jobs}");
        assert!(runs.iter().all(|r| r["status"] == "done"), "{jobs}");
    }
);
