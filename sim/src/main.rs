//! `mde-sim`: parses flags and serves until interrupted.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = mde_sim::Args::parse();
    let control = args.control;
    match mde_sim::spawn(args).await {
        Ok(running) => {
            let url = running.url();
            println!("mde-sim listening on {url}");
            println!("  app:       {url}/");
            println!("  API:       {url}/api/libraryfiles");
            println!("  authority: {}", running.sim.authority());
            if let Some(examples) = running.examples_url() {
                println!(
                    "  examples:  {examples}/ (a portal on another origin, same site, embedding the panel)"
                );
                if let Some(cross) = running.examples_cross_site_url() {
                    println!("             {cross}/ (the same portal on another site)");
                }
            }
            if control {
                println!("  control:   {url}/_sim (test control surface enabled)");
            }
            let _ = tokio::signal::ctrl_c().await;
            running.stop().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mde-sim: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
