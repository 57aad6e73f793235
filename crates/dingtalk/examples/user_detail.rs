//! Fetches one user's details with real credentials (or a simulator URL).
//!
//! ```text
//! DINGTALK_APP_KEY=... DINGTALK_APP_SECRET=... [DINGTALK_BASE_URL=http://127.0.0.1:PORT] \
//!     cargo run -p dingtalk --example user_detail -- <userid>
//! ```

use std::env;

use dingtalk::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let user_id = env::args().nth(1).ok_or("usage: user_detail <userid>")?;
    let mut builder = Client::builder()
        .app_key(env::var("DINGTALK_APP_KEY")?)
        .app_secret(env::var("DINGTALK_APP_SECRET")?.into());
    if let Ok(base) = env::var("DINGTALK_BASE_URL") {
        builder = builder.oapi_base(base.clone()).api_base(base);
    }
    let client = builder.build()?;
    let user = client.user_detail(&user_id.into()).await?;
    println!(
        "{} ({}), departments {:?}",
        user.name, user.user_id, user.dept_id_list
    );
    Ok(())
}
