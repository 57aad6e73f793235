//! `aidazu`: the 爱大足 points service.

use std::path::PathBuf;
use std::process::ExitCode;

use aidazu_server::settings::{LogFormat, Settings};
use aidazu_server::{commands, telemetry};
use clap::{Parser, Subcommand};

/// 爱大足 积分制 — the rural-governance points service of Dazu District, integrated with DingTalk.
#[derive(Debug, Parser)]
#[command(name = "aidazu", version, about, long_about = None)]
struct Cli {
    /// Directory holding default.toml and the optional local.toml.
    #[arg(
        long,
        global = true,
        default_value = "config",
        env = "AIDAZU_CONFIG_DIR"
    )]
    config_dir: PathBuf,
    /// Log format: pretty (people) or json (machines). Overrides `log.format`.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (API, DingTalk callback, and in sim mode the embedded DingTalk simulator).
    /// With the embedded default (SQLite) it migrates and loads the demo data on first start.
    Serve {
        /// Do not load the demo data of the four pilot villages on start (embedded default only).
        #[arg(long)]
        no_demo: bool,
    },
    /// Apply pending database migrations, then exit. Production runs this as its own deploy step.
    Migrate,
    /// Load the demo data (大足区, the four pilot villages, households, accounts, the default
    /// catalogue). Idempotent: running it again creates no duplicates.
    SeedDemo,
    /// Run the DingTalk simulator alone (the same one `serve` embeds in sim mode).
    DingtalkSim {
        /// Port to listen on (127.0.0.1). Defaults to the port of `dingtalk.sim.bind`.
        #[arg(long)]
        port: Option<u16>,
        /// JSON file the simulator keeps its state in across restarts (default: memory only).
        #[arg(long, value_name = "FILE")]
        state: Option<std::path::PathBuf>,
    },
    /// Recompute the ledger hash chain and the maintained totals (score, balance, quarter
    /// points) of one village, or of every village without --village, and report the first
    /// broken link and every total that differs from the ledger (exit code 1).
    Verify {
        /// The village's code (e.g. heping); every village when omitted.
        #[arg(long)]
        village: Option<String>,
    },
    /// Write a synthetic district for scale tests and benchmarks (issue 11): towns of 25
    /// villages, households with members (encrypted mobiles), participation changes, ledger
    /// entries over the catalogue and quarters, declarations in every state, photos by hash, the
    /// hash chain and the read models. Needs the demo seed's system account (run after
    /// `seed-demo`, or on a database `serve` has started once).
    SeedSynthetic {
        #[arg(long, default_value_t = 200)]
        villages: u32,
        #[arg(long, default_value_t = 400)]
        households_per_village: u32,
        /// Points-years, the current one included (earlier ones are closed).
        #[arg(long, default_value_t = 1)]
        years: u32,
        /// District code (unique).
        #[arg(long, default_value = "syn")]
        district: String,
        /// RNG seed (the same seed writes the same data).
        #[arg(long, default_value_t = 11)]
        seed: u64,
    },
    /// The organisation: districts, towns, villages, groups, district officers, and the sync from
    /// DingTalk departments (区 → 镇 → 村 → 组).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Clock-driven jobs (the scheduler inside `serve` runs them on time; these run them by hand).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Benchmark drivers of `scripts/bench/run.sh` (issue 11; not for operators).
    #[command(hide = true)]
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// P2: approve-and-credit of the in_review declarations, through the use case.
    Decisions {
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 2000)]
        limit: u64,
    },
    /// P2 floor: one-row INSERT transactions.
    Inserts {
        #[arg(long, default_value_t = 5000)]
        count: usize,
    },
    /// P3: encrypted events to a running service's HTTP callback, unique then duplicates.
    Callbacks {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long, default_value_t = 20000)]
        events: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
    /// P5: a noisy JPEG of about `bytes` (an upload of a phone photo's size).
    Photo {
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value_t = 8 * 1024 * 1024)]
        bytes: u64,
    },
    /// P3 ceiling: the same events through the callback crypto only.
    CallbackCrypto {
        #[arg(long, default_value_t = 20000)]
        events: usize,
    },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Add a district with its points-year start month, catalogue bounds and the default
    /// catalogue template as its version 1.
    AddDistrict {
        /// Code (e.g. the administrative code 500111).
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// First month of the points-year (1–12).
        #[arg(long, default_value_t = 1)]
        start_month: u32,
        /// Largest points any item may give or take (the district's bound).
        #[arg(long, default_value_t = 30)]
        max_item_points: i32,
        /// The district's DingTalk department id (for `org sync`).
        #[arg(long)]
        dept_id: Option<String>,
    },
    /// Add a town to a district.
    AddTown {
        #[arg(long)]
        district: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        dept_id: Option<String>,
    },
    /// Add a village to a town.
    AddVillage {
        #[arg(long)]
        town: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        dept_id: Option<String>,
    },
    /// Add a group to a village.
    AddGroup {
        #[arg(long)]
        village: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        dept_id: Option<String>,
    },
    /// Grant a DingTalk user the district officer role of a district.
    AddOfficer {
        #[arg(long)]
        district: String,
        #[arg(long)]
        user_id: String,
        #[arg(long)]
        name: String,
    },
    /// Compare the district's DingTalk departments with the stored tree and add or rename
    /// towns, villages and groups; `--dry-run` only shows the changes.
    Sync {
        #[arg(long)]
        district: String,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// Run a job now. A run is unique per (job, village, period): running it again, or while
    /// another replica runs it, changes nothing.
    Run {
        #[command(subcommand)]
        job: RunJob,
    },
}

#[derive(Debug, Subcommand)]
enum RunJob {
    /// The quarterly publication (R16): snapshot, digest, group notice. Refused for a quarter
    /// that has not ended.
    Publish {
        /// The village's code (e.g. heping).
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        village: Option<String>,
        /// Every village.
        #[arg(long)]
        all: bool,
        /// The quarter of the points-year, e.g. 2026-Q3.
        #[arg(long)]
        quarter: String,
    },
    /// The year close (R14, D4): honours frozen, then every household's balance closed to zero.
    /// Refused before the close date.
    YearClose {
        /// The village's code (e.g. heping).
        #[arg(long)]
        village: String,
        /// The points-year label (the calendar year it starts in), e.g. 2025.
        #[arg(long)]
        year: i32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.config_dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("aidazu: {e:#}");
            return ExitCode::from(2);
        }
    };
    let format = cli.log_format.unwrap_or(settings.log.format);
    if let Err(e) = telemetry::init(format, &settings.log.filter) {
        eprintln!("aidazu: cannot initialise logging: {e:#}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("aidazu: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { no_demo } => commands::serve(settings, !no_demo).await,
            Command::Migrate => commands::migrate(settings).await,
            Command::SeedDemo => commands::seed_demo(settings).await,
            Command::DingtalkSim { port, state } => {
                commands::dingtalk_sim(settings, port, state).await
            }
            Command::Jobs {
                command:
                    JobsCommand::Run {
                        job:
                            RunJob::Publish {
                                village,
                                all,
                                quarter,
                            },
                    },
            } => commands::jobs_run_publish(settings, village, all, &quarter).await,
            Command::Jobs {
                command:
                    JobsCommand::Run {
                        job: RunJob::YearClose { village, year },
                    },
            } => commands::jobs_run_year_close(settings, &village, year).await,
            Command::Verify { village } => commands::verify(settings, village.as_deref()).await,
            Command::Bench { command } => match command {
                BenchCommand::Decisions { clients, limit } => {
                    aidazu_server::bench::decisions(settings, clients, limit).await
                }
                BenchCommand::Inserts { count } => {
                    aidazu_server::bench::inserts(settings, count).await
                }
                BenchCommand::Callbacks {
                    url,
                    events,
                    concurrency,
                } => aidazu_server::bench::callbacks(settings, &url, events, concurrency).await,
                BenchCommand::Photo { out, bytes } => aidazu_server::bench::photo(&out, bytes),
                BenchCommand::CallbackCrypto { events } => {
                    aidazu_server::bench::callback_crypto(&settings, events)
                }
            },
            Command::SeedSynthetic {
                villages,
                households_per_village,
                years,
                district,
                seed,
            } => {
                commands::seed_synthetic(
                    settings,
                    villages,
                    households_per_village,
                    years,
                    district,
                    seed,
                )
                .await
            }

            Command::Org { command } => match command {
                OrgCommand::AddDistrict {
                    code,
                    name,
                    start_month,
                    max_item_points,
                    dept_id,
                } => {
                    commands::org_add_district(
                        settings,
                        &code,
                        &name,
                        start_month,
                        max_item_points,
                        dept_id.as_deref(),
                    )
                    .await
                }
                OrgCommand::AddTown {
                    district,
                    code,
                    name,
                    dept_id,
                } => commands::org_add(settings, "town", &district, &code, &name, dept_id).await,
                OrgCommand::AddVillage {
                    town,
                    code,
                    name,
                    dept_id,
                } => commands::org_add(settings, "village", &town, &code, &name, dept_id).await,
                OrgCommand::AddGroup {
                    village,
                    code,
                    name,
                    dept_id,
                } => commands::org_add(settings, "group", &village, &code, &name, dept_id).await,
                OrgCommand::AddOfficer {
                    district,
                    user_id,
                    name,
                } => commands::org_add_officer(settings, &district, &user_id, &name).await,
                OrgCommand::Sync { district, dry_run } => {
                    commands::org_sync(settings, &district, dry_run).await
                }
            },
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("aidazu: {e:#}");
            ExitCode::FAILURE
        }
    }
}
