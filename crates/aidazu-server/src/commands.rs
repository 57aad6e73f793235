//! The subcommands of `aidazu`.

use std::net::SocketAddr;

use aidazu_store::Store;
use aidazu_store::pii::PiiKeys;
use aidazu_store::seed::{DemoOrganisation, SeedReport};
use anyhow::Context as _;
use chrono::{DateTime, Utc};

use crate::application::{connect_store, start_simulator};
use crate::secrets::Secrets;
use crate::settings::Settings;
use crate::{Application, BuildOptions};

/// `aidazu serve`.
pub async fn serve(settings: Settings, load_demo: bool) -> anyhow::Result<()> {
    let web = settings.web.clone();
    let settings_web_dir_is_empty = settings.web.dir.as_os_str().is_empty();
    let outcome = tokio::task::spawn_blocking(move || crate::frontend::ensure_built(&web))
        .await
        .context("the front-end build task failed")??;
    tracing::info!(?outcome, dir = %settings.web.dir.display(), "front end");
    let app = Application::build(
        settings,
        BuildOptions {
            load_demo,
            ..BuildOptions::default()
        },
    )
    .await?;
    let base = format!("http://{}", app.addr());
    tracing::info!(%base, "aidazu is serving");
    println!("爱大足 积分制 service is running:");
    if !settings_web_dir_is_empty {
        let (villager, admin) = if app.sim_base_url().is_some() {
            ("?demoUser=demo-villager", "?demoUser=demo-admin")
        } else {
            ("", "")
        };
        println!("  villager app  {base}/{villager}   (a phone-sized window)");
        println!("  console       {base}/console/{admin}");
    }
    println!("  health        {base}/healthz   readiness {base}/readyz");
    println!("  villages      {base}/api/v1/villages");
    println!("  catalogue     {base}/api/v1/villages/1/catalogue");
    println!("  OpenAPI       {base}/openapi.json");
    if let Some(sim) = app.sim_base_url() {
        println!("  DingTalk sim  {sim}/sim/   (demo users: demo-villager, demo-admin)");
    }
    println!("Press Ctrl+C to stop.");
    app.run_until(shutdown_signal()).await
}

/// `aidazu migrate`.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let store = Store::connect_with(&settings.database.url, settings.database.connect_settings())
        .await
        .context("cannot connect to the database (key `database.url`)")?;
    let pending = store.pending_migrations().await?;
    store.migrate().await.context("database migration failed")?;
    if pending.is_empty() {
        println!("database schema is current; nothing to apply");
    } else {
        println!("applied {} migration(s):", pending.len());
        for m in pending {
            println!("  {m}");
        }
    }
    Ok(())
}

/// `aidazu seed-demo`.
pub async fn seed_demo(settings: Settings) -> anyhow::Result<()> {
    let secrets = Secrets::resolve(&settings)?;
    let mut settings = settings;
    // Seeding needs the schema; apply it even when auto-migration is off.
    settings.database.auto_migrate = true;
    let store = connect_store(&settings).await?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the seed-demo command dates the demo at start-up"
    )]
    let seeded_at = Utc::now();
    let report = seed(&store, &secrets, seeded_at).await?;
    println!("demo data loaded: {report:?}");
    Ok(())
}

/// Loads the embedded demo organisation (idempotent).
pub async fn seed(
    store: &Store,
    secrets: &Secrets,
    now: DateTime<Utc>,
) -> anyhow::Result<SeedReport> {
    let org = DemoOrganisation::embedded().context("the embedded demo organisation is invalid")?;
    let keys = PiiKeys::new(
        secrets.data_key_id.clone(),
        secrets.data_key,
        secrets.lookup_key,
    );
    let today = aidazu_domain::calendar::business_date(now);
    Ok(aidazu_store::seed::seed_demo(store, &org, &keys, today).await?)
}

/// `aidazu dingtalk-sim [--port P] [--state FILE]`.
pub async fn dingtalk_sim(
    settings: Settings,
    port: Option<u16>,
    state: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let bind = port.map(|p| SocketAddr::from(([127, 0, 0, 1], p)));
    let service_url = settings.public_url(settings.server.bind);
    let sim = start_simulator(&settings, &service_url, bind, state).await?;
    println!("DingTalk simulator: {}/sim/", sim.base_url());
    shutdown_signal().await;
    sim.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl+C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl+C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; draining requests");
}

/// `aidazu jobs run publish --village <code> --quarter <YYYY-Qn>` or `--all`: publishes a quarter
/// (R16) by hand, exactly as the scheduler does; a rerun or a concurrent replica changes nothing.
pub async fn jobs_run_publish(
    settings: Settings,
    village: Option<String>,
    all: bool,
    quarter: &str,
) -> anyhow::Result<()> {
    let quarter: aidazu_domain::calendar::Quarter = quarter
        .parse()
        .map_err(|_| anyhow::anyhow!("invalid quarter {quarter:?}: use a label like 2026-Q3"))?;
    let (app, store) =
        crate::application::command_parts(&settings, std::sync::Arc::new(aidazu_app::SystemClock))
            .await?;
    let outcomes = if all {
        app.publish_all(quarter, "cli", |done, total| {
            let width = 30;
            let filled = (done * width)
                .checked_div(total)
                .unwrap_or(width)
                .min(width);
            eprint!(
                "\r[{}{}] {done}/{total} villages",
                "#".repeat(filled),
                "-".repeat(width - filled)
            );
            if done == total {
                eprintln!();
            }
        })
        .await?
    } else {
        let code = village.context("give --village <code> or --all")?;
        let v = store
            .village_by_code(&code)
            .await?
            .with_context(|| format!("no village with code {code:?}"))?;
        vec![aidazu_app::jobs::VillageOutcome {
            village: v.id,
            outcome: app.publish_quarter(v.id, quarter, "cli").await,
            code: v.code,
        }]
    };
    let mut failed = 0;
    for o in outcomes {
        match o.outcome {
            Ok(aidazu_app::publication::PublishOutcome::Published(p)) => println!(
                "{}: published {quarter} v{} ({} households, digest {})",
                o.code,
                p.version,
                p.content.rows.len(),
                p.digest
            ),
            Ok(aidazu_app::publication::PublishOutcome::AlreadyPublished(p)) => println!(
                "{}: {quarter} was already published (v{}, digest {}); nothing changed",
                o.code, p.version, p.digest
            ),
            Ok(aidazu_app::publication::PublishOutcome::Running) => {
                println!(
                    "{}: {quarter} is being published by another process",
                    o.code
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}: {} ({})", o.code, e.message(), e.code());
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} village(s) failed");
    }
    Ok(())
}

/// `aidazu jobs run year-close --village <code> --year <label>`: the year close (R14, D4) by hand,
/// exactly as the scheduler does it on the close date; a rerun changes nothing.
pub async fn jobs_run_year_close(
    settings: Settings,
    village: &str,
    year: i32,
) -> anyhow::Result<()> {
    let (app, store) =
        crate::application::command_parts(&settings, std::sync::Arc::new(aidazu_app::SystemClock))
            .await?;
    let v = store
        .village_by_code(village)
        .await?
        .with_context(|| format!("no village with code {village:?}"))?;
    let year = aidazu_domain::calendar::PointsYear(year);
    match app.close_year(v.id, year, "cli").await {
        Ok(aidazu_app::year_close::YearCloseOutcome::Closed { households, closed }) => println!(
            "{village}: points-year {year} closed: {households} households, {closed} points of balance closed"
        ),
        Ok(aidazu_app::year_close::YearCloseOutcome::AlreadyClosed) => {
            println!("{village}: points-year {year} was already closed; nothing changed");
        }
        Ok(aidazu_app::year_close::YearCloseOutcome::Running) => {
            println!("{village}: points-year {year} is being closed by another process");
        }
        Err(e) => anyhow::bail!("{village}: {} ({})", e.message(), e.code()),
    }
    Ok(())
}

/// `aidazu verify [--village <code>]`: recomputes each village's ledger hash chain and refolds
/// its ledger against the maintained totals (issue 11); an error (exit code 1) names the first
/// broken link and counts the totals that differ.
pub async fn verify(settings: Settings, village: Option<&str>) -> anyhow::Result<()> {
    let (app, store) =
        crate::application::command_parts(&settings, std::sync::Arc::new(aidazu_app::SystemClock))
            .await?;
    let villages = match village {
        Some(code) => vec![
            store
                .village_by_code(code)
                .await?
                .with_context(|| format!("no village with code {code:?}"))?,
        ],
        None => store.list_villages().await?,
    };
    #[expect(
        clippy::disallowed_methods,
        reason = "the command reports how long the check took"
    )]
    let started = std::time::Instant::now();
    let mut broken = 0usize;
    let mut mismatched = 0usize;
    let (mut links, mut household_years, mut entries, mut score, mut balance) =
        (0i64, 0u64, 0i64, 0i64, 0i64);
    for v in &villages {
        match app.verify_chain(v.id).await? {
            aidazu_store::chain::Verification::Intact { links: n, head } => {
                links += n;
                if village.is_some() {
                    println!("{}: ledger chain intact: {n} links, head {head}", v.code);
                }
            }
            aidazu_store::chain::Verification::Broken {
                seq,
                entry_id,
                problem,
            } => {
                broken += 1;
                eprintln!(
                    "{}: ledger chain broken at link {seq} (ledger entry {}): {problem}",
                    v.code,
                    entry_id.map_or_else(|| "?".to_owned(), |e| e.to_string())
                );
            }
        }
        let check = aidazu_store::read_models::check_totals(store.connection(), v.id).await?;
        household_years += check.household_years;
        entries += check.entries;
        score += check.score;
        balance += check.balance;
        for m in &check.mismatches {
            mismatched += 1;
            eprintln!(
                "{}: household {} year {}: ledger score {} balance {} quarters {:?} boards {:?}/{:?}, maintained score {} balance {} quarters {:?} boards {:?}/{:?}",
                v.code,
                m.household,
                m.points_year,
                m.ledger.score,
                m.ledger.balance,
                m.ledger.quarter_points.map(|p| p.get()),
                m.ledger.board_points.map(|p| p.get()),
                m.ledger.board_balance.map(|p| p.get()),
                m.maintained.score,
                m.maintained.balance,
                m.maintained.quarter_points.map(|p| p.get()),
                m.maintained.board_points.map(|p| p.get()),
                m.maintained.board_balance.map(|p| p.get()),
            );
        }
        if village.is_some() && check.mismatches.is_empty() {
            println!(
                "{}: totals equal the ledger: {} household-years, {} entries",
                v.code, check.household_years, check.entries
            );
        }
    }
    println!(
        "verified {} village(s) in {:.1} s: {links} chain links; {household_years} household-years \
         over {entries} entries, score sum {score}, balance sum {balance}; \
         {broken} broken chain(s), {mismatched} total(s) differing from the ledger",
        villages.len(),
        started.elapsed().as_secs_f64()
    );
    if broken > 0 || mismatched > 0 {
        anyhow::bail!("{broken} broken chain(s), {mismatched} total(s) differing from the ledger");
    }
    Ok(())
}

/// `aidazu seed-synthetic`: a synthetic district for scale work (issue 11).
pub async fn seed_synthetic(
    settings: Settings,
    villages: u32,
    households_per_village: u32,
    years: u32,
    district: String,
    seed: u64,
) -> anyhow::Result<()> {
    let secrets = Secrets::resolve(&settings)?;
    let mut settings = settings;
    settings.database.auto_migrate = true;
    let store = connect_store(&settings).await?;
    let keys = PiiKeys::new(
        secrets.data_key_id.clone(),
        secrets.data_key,
        secrets.lookup_key,
    );
    #[expect(
        clippy::disallowed_methods,
        reason = "the synthetic data leads up to the day it is written"
    )]
    let today = aidazu_domain::calendar::business_date(Utc::now());
    #[expect(
        clippy::disallowed_methods,
        reason = "the command reports how long the bulk write took"
    )]
    let started = std::time::Instant::now();
    let report = aidazu_store::synthetic::seed_synthetic(
        &store,
        &keys,
        aidazu_store::synthetic::SyntheticSpec {
            villages,
            households_per_village,
            years,
            today,
            seed,
            district_code: district.clone(),
        },
        |done, total| {
            let width = 30u64;
            let filled = (done * width)
                .checked_div(total)
                .unwrap_or(width)
                .min(width);
            eprint!(
                "\r[{}{}] {done}/{total} villages, {:.0} s",
                "#".repeat(usize::try_from(filled).unwrap_or(0)),
                "-".repeat(usize::try_from(width - filled).unwrap_or(0)),
                started.elapsed().as_secs_f64()
            );
            if done == total {
                eprintln!();
            }
        },
    )
    .await?;
    println!(
        "synthetic district {district:?} written in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        serde_json::to_string(&report)?
    );
    Ok(())
}

async fn org_app(settings: &Settings) -> anyhow::Result<aidazu_app::App> {
    crate::application::command_app(settings, std::sync::Arc::new(aidazu_app::SystemClock)).await
}

/// `aidazu org add-district`.
pub async fn org_add_district(
    settings: Settings,
    code: &str,
    name: &str,
    start_month: u32,
    max_item_points: i32,
    dept_id: Option<&str>,
) -> anyhow::Result<()> {
    let app = org_app(&settings).await?;
    match app
        .add_district(code, name, start_month, max_item_points, dept_id)
        .await
    {
        Ok(id) => {
            println!(
                "district {code} ({name}) added: id {id}, points-year from month {start_month}, default catalogue as version 1"
            );
            Ok(())
        }
        Err(e) => anyhow::bail!("{code}: {} ({})", e.message(), e.code()),
    }
}

/// `aidazu org add-town|add-village|add-group`.
pub async fn org_add(
    settings: Settings,
    level: &str,
    parent: &str,
    code: &str,
    name: &str,
    dept_id: Option<String>,
) -> anyhow::Result<()> {
    let app = org_app(&settings).await?;
    match app
        .operator_add(level, parent, code, name, dept_id.as_deref())
        .await
    {
        Ok(id) => {
            println!("{level} {code} ({name}) added under {parent}: id {id}");
            Ok(())
        }
        Err(e) => anyhow::bail!("{code}: {} ({})", e.message(), e.code()),
    }
}

/// `aidazu org add-officer`.
pub async fn org_add_officer(
    settings: Settings,
    district: &str,
    user_id: &str,
    name: &str,
) -> anyhow::Result<()> {
    let app = org_app(&settings).await?;
    match app.add_district_officer(district, user_id, name).await {
        Ok(()) => {
            println!("{user_id} ({name}) is a district officer of {district}");
            Ok(())
        }
        Err(e) => anyhow::bail!("{district}: {} ({})", e.message(), e.code()),
    }
}

/// `aidazu org sync [--dry-run]`: prints every change, one a line.
pub async fn org_sync(settings: Settings, district: &str, dry_run: bool) -> anyhow::Result<()> {
    let app = org_app(&settings).await?;
    let plan = match app.sync_org(district, dry_run).await {
        Ok(plan) => plan,
        Err(e) => anyhow::bail!("{district}: {} ({})", e.message(), e.code()),
    };
    for c in &plan.changes {
        match &c.from {
            Some(from) => println!(
                "{} {} dept {}: {from} -> {}",
                c.action, c.level, c.dept_id, c.name
            ),
            None => println!(
                "{} {} dept {} ({}) under dept {}",
                c.action, c.level, c.dept_id, c.name, c.parent_dept_id
            ),
        }
    }
    println!(
        "{}: {} change(s){}",
        plan.district,
        plan.changes.len(),
        if dry_run {
            " (dry run: nothing written)"
        } else if plan.applied {
            " applied"
        } else {
            ""
        }
    );
    Ok(())
}
