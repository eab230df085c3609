//! `tabel region admin add`: a regional administrator's account, who lists the region's schools
//! and creates new ones with their first administrators at `/region`.

use crate::{DbArg, app_for, explain, read_password};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum RegionCommand {
    /// Regional administrators.
    Admin {
        #[command(subcommand)]
        command: RegionAdminCommand,
    },
}

#[derive(Subcommand)]
pub enum RegionAdminCommand {
    /// Create a regional administrator's account (the password is read from standard input).
    /// The account reads no school's inside: it creates schools and lists them.
    Add {
        #[command(flatten)]
        db: DbArg,
        /// Login (Latin letters, digits, . - _).
        login: String,
        /// Region, e.g. "Свердловская область" (found by name, or added).
        #[arg(long)]
        region: String,
        /// The name shown in the interface, e.g. "Петрова Е. В.".
        #[arg(long)]
        name: String,
    },
}

pub async fn run(command: RegionCommand) -> anyhow::Result<i32> {
    match command {
        RegionCommand::Admin {
            command:
                RegionAdminCommand::Add {
                    db,
                    login,
                    region,
                    name,
                },
        } => {
            let app = app_for(&db).await?;
            let password = read_password("Password for the regional administrator")?;
            let id = app
                .system_create_region_admin(&region, &login, &name, &password)
                .await
                .map_err(explain)?;
            println!("Created regional administrator {login} (id {id}) of «{region}».");
            Ok(0)
        }
    }
}
