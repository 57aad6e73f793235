-- P2's limit: what approve-and-credit writes, as one pgbench transaction on copies of the same
-- tables (LIKE … INCLUDING ALL: the same columns, indexes and unique keys, no triggers): the
-- declaration's state, the ledger entry, the household's totals (upsert), the outbox row and the
-- audit record. The service's transaction also reads the declaration, routing, caps and
-- catalogue and links the hash chain; this script only writes.
\set d random(:lo, :hi)
BEGIN;
UPDATE bench_decl SET state = 'approved', decided_at = now(), decider_account_id = 1,
    decision_channel = 'console', points = 3 WHERE id = :d;
INSERT INTO bench_ledger (village_id, household_id, member_id, points_year, kind, amount, item_code,
    reason, actor_account_id, channel, occurred_on, created_at, occurred_at, declaration_id)
  SELECT village_id, household_id, member_id, '2026', 'award', 3, item_code, '村民申报审核通过', 1,
    'console', occurred_on, now(), now(), id FROM bench_decl WHERE id = :d;
INSERT INTO bench_totals (household_id, points_year, village_id, score, balance, q1, q2, q3, q4,
    entries, board_q1, board_q2, board_q3, board_q4, board_balance_q1, board_balance_q2,
    board_balance_q3, board_balance_q4)
  SELECT household_id, '2026', village_id, 3, 3, 0, 0, 0, 3, 1, 0, 0, 0, 3, 0, 0, 0, 3
    FROM bench_decl WHERE id = :d
  ON CONFLICT (household_id, points_year) DO UPDATE SET score = bench_totals.score + 3,
    balance = bench_totals.balance + 3, q4 = bench_totals.q4 + 3,
    entries = bench_totals.entries + 1, board_q4 = bench_totals.board_q4 + 3,
    board_balance_q4 = bench_totals.board_balance_q4 + 3;
INSERT INTO bench_outbox (kind, dedupe_key, village_id, payload, status, attempts, next_attempt_at,
    created_at)
  VALUES ('work_notice', 'bench:' || :d || ':' || :client_id || ':' || random(), NULL,
    '{"text":"您的积分申报已审核通过，获得 3 分"}', 'pending', 0, now(), now());
INSERT INTO bench_audit (actor_account_id, role, channel, action, entity, entity_id, village_id,
    detail, at)
  VALUES (1, 'village_admin', 'console', 'declaration.approved', 'declaration', :d::text, NULL,
    '{"points":3}', now());
END;
