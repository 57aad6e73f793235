//! Stream mode (API.md §4): a WebSocket the app opens to DingTalk, over which events and card
//! actions arrive. Recommended by DingTalk over HTTP callbacks: no public URL, no crypto.
//!
//! [`StreamClient::run`] opens a connection (`POST /v1.0/gateway/connections/open`, then
//! `<endpoint>?ticket=`), answers SYSTEM pings, hands EVENT frames to
//! [`EventHandler::handle`] and card CALLBACK frames to [`EventHandler::handle_card_action`],
//! ACKs each (`SUCCESS`, or `LATER` when the handler fails so DingTalk redelivers), and
//! reconnects with backoff `min(base · 2^n + jitter, max)` until the shutdown future fires.
//! Messages handled in the last few minutes (by `messageId` and `eventId`) are ACKed again
//! without calling the handler, so redeliveries are not handled twice.

mod backoff;
mod frame;
mod recent;

use std::borrow::Cow;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{FutureExt, SinkExt, StreamExt};
use rand::Rng;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use crate::Client;
use crate::endpoint::{Endpoint, Family};
use crate::error::DingTalkError;
use crate::event::{CardAction, Event, EventHandler};
use crate::retry::RetrySafety;
use frame::{Frame, FrameType};
use recent::{Recent, Seen};

/// Topic of interactive-card action callbacks.
pub const CARD_CALLBACK_TOPIC: &str = "/v1.0/card/instances/callback";

type WebSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One subscription of a Stream connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// `EVENT` or `CALLBACK`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `*` for events (the console chooses which), or a callback topic.
    pub topic: String,
}

impl Subscription {
    /// All events enabled in the developer console (`EVENT` / `*`).
    pub fn events() -> Self {
        Self {
            kind: "EVENT".into(),
            topic: "*".into(),
        }
    }

    /// Interactive-card button presses.
    pub fn card_callbacks() -> Self {
        Self {
            kind: "CALLBACK".into(),
            topic: CARD_CALLBACK_TOPIC.into(),
        }
    }
}

/// Stream client settings.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// What to receive (default: events and card callbacks).
    pub subscriptions: Vec<Subscription>,
    /// `ua` sent when opening a connection.
    pub ua: String,
    /// `localIp` sent when opening a connection.
    pub local_ip: String,
    /// First reconnect delay (default 1 s).
    pub reconnect_base: Duration,
    /// Longest reconnect delay (default 60 s).
    pub reconnect_max: Duration,
    /// How long handled messages are remembered (default 5 min).
    pub dedupe_window: Duration,
    /// WebSocket ping interval; a connection silent for two intervals is replaced (default 60 s).
    pub keepalive: Duration,
    /// Deadline of the WebSocket handshake (default 10 s).
    pub connect_timeout: Duration,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            subscriptions: vec![Subscription::events(), Subscription::card_callbacks()],
            ua: concat!("aidazu-dingtalk/", env!("CARGO_PKG_VERSION")).into(),
            local_ip: "127.0.0.1".into(),
            reconnect_base: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(60),
            dedupe_window: Duration::from_secs(300),
            keepalive: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// `POST /v1.0/gateway/connections/open` (no token; app credentials in the body).
struct OpenConnection {
    client_id: String,
    client_secret: String,
    subscriptions: Vec<Subscription>,
    ua: String,
    local_ip: String,
}

impl Serialize for OpenConnection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("OpenConnection", 5)?;
        state.serialize_field("clientId", &self.client_id)?;
        state.serialize_field("clientSecret", &self.client_secret)?;
        state.serialize_field("subscriptions", &self.subscriptions)?;
        state.serialize_field("ua", &self.ua)?;
        state.serialize_field("localIp", &self.local_ip)?;
        state.end()
    }
}

/// `{"endpoint", "ticket"}`: where to connect; the ticket is valid 90 s for one connection.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamTicket {
    /// WebSocket URL.
    pub endpoint: String,
    /// One-time ticket.
    pub ticket: String,
}

impl Endpoint for OpenConnection {
    type Response = StreamTicket;
    type Body = Self;
    const FAMILY: Family = Family::Api;
    const METHOD: Method = Method::POST;
    const AUTHENTICATED: bool = false;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1.0/gateway/connections/open")
    }

    fn body(&self) -> Option<&Self> {
        Some(self)
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::Idempotent
    }
}

impl Client {
    /// Registers a Stream connection and answers its endpoint and ticket.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `authFailed` for wrong credentials.
    pub async fn open_stream_connection(
        &self,
        config: &StreamConfig,
    ) -> Result<StreamTicket, DingTalkError> {
        let request = OpenConnection {
            client_id: self.app_key().to_owned(),
            client_secret: self.app_secret().expose_secret().to_owned(),
            subscriptions: config.subscriptions.clone(),
            ua: config.ua.clone(),
            local_ip: config.local_ip.clone(),
        };
        self.send(&request).await
    }
}

/// How a connection ended.
enum End {
    /// The shutdown future fired.
    Shutdown,
    /// The server asked us to reconnect (SYSTEM `disconnect`): reconnect at once.
    Disconnect,
    /// The connection broke or went silent: reconnect after a delay.
    Lost,
}

/// Receives events and card actions over Stream mode and dispatches them to a handler.
#[derive(Debug, Clone)]
pub struct StreamClient {
    client: Client,
    config: StreamConfig,
    recent: Arc<Mutex<Recent>>,
}

impl StreamClient {
    /// A Stream client using `client`'s credentials and API base URL.
    pub fn new(client: Client, config: StreamConfig) -> Self {
        let recent = Arc::new(Mutex::new(Recent::new(config.dedupe_window)));
        Self {
            client,
            config,
            recent,
        }
    }

    /// Runs until `shutdown` completes: connects, dispatches, reconnects. Waits for handlers
    /// still running before returning.
    ///
    /// # Errors
    /// Only unrecoverable failures: wrong credentials (`authFailed`) or a bad endpoint URL.
    /// Network failures are retried forever.
    pub async fn run<H: EventHandler>(
        &self,
        handler: Arc<H>,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), DingTalkError> {
        let shutdown = shutdown.fuse();
        tokio::pin!(shutdown);
        let mut tasks = JoinSet::new();
        let mut failures = 0u32;
        let result = loop {
            let connected = tokio::select! {
                () = &mut shutdown => break Ok(()),
                connected = self.connect() => connected,
            };
            let end = match connected {
                Ok(socket) => {
                    failures = 0;
                    tracing::info!("DingTalk stream connected");
                    self.serve(socket, &handler, shutdown.as_mut(), &mut tasks)
                        .await
                }
                Err(error) if is_fatal(&error) => break Err(error),
                Err(error) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(%error, failures, "DingTalk stream connection failed");
                    End::Lost
                }
            };
            match end {
                End::Shutdown => break Ok(()),
                End::Disconnect => {
                    tracing::info!("DingTalk stream asked to reconnect");
                }
                End::Lost => {
                    let jitter = rand::thread_rng().r#gen::<f64>();
                    let delay = backoff::reconnect_delay(
                        self.config.reconnect_base,
                        self.config.reconnect_max,
                        failures,
                        jitter,
                    );
                    tracing::warn!(
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "DingTalk stream lost; reconnecting"
                    );
                    tokio::select! {
                        () = &mut shutdown => break Ok(()),
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        };
        while tasks.join_next().await.is_some() {}
        result
    }

    async fn connect(&self) -> Result<WebSocket, DingTalkError> {
        let ticket = self.client.open_stream_connection(&self.config).await?;
        let mut url = Url::parse(&ticket.endpoint).map_err(|error| {
            DingTalkError::Config(format!("stream endpoint is not a URL: {error}"))
        })?;
        url.query_pairs_mut().append_pair("ticket", &ticket.ticket);
        let handshake = tokio_tungstenite::connect_async(url.as_str());
        let (socket, _) = tokio::time::timeout(self.config.connect_timeout, handshake)
            .await
            .map_err(|_| DingTalkError::Timeout)?
            .map_err(|error| DingTalkError::WebSocket(Box::new(error)))?;
        Ok(socket)
    }

    /// Serves one connection until it ends.
    async fn serve<H: EventHandler, S: Future<Output = ()>>(
        &self,
        socket: WebSocket,
        handler: &Arc<H>,
        mut shutdown: Pin<&mut S>,
        tasks: &mut JoinSet<()>,
    ) -> End {
        let (mut sink, mut incoming) = socket.split();
        let (replies, mut outgoing) = mpsc::unbounded_channel::<String>();
        let keepalive_every = self.config.keepalive;
        let mut keepalive =
            tokio::time::interval_at(Instant::now() + keepalive_every, keepalive_every);
        keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_seen = Instant::now();
        loop {
            tokio::select! {
                () = shutdown.as_mut() => {
                    let _ = sink.send(Message::Close(None)).await;
                    return End::Shutdown;
                }
                Some(reply) = outgoing.recv() => {
                    if sink.send(Message::Text(reply.into())).await.is_err() {
                        return End::Lost;
                    }
                }
                _ = keepalive.tick() => {
                    if last_seen.elapsed() > keepalive_every.saturating_mul(2) {
                        tracing::warn!("DingTalk stream silent for two keepalive intervals");
                        return End::Lost;
                    }
                    if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                        return End::Lost;
                    }
                }
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Err(error) = joined {
                        tracing::error!(%error, "DingTalk stream handler task failed");
                    }
                }
                message = incoming.next() => {
                    last_seen = Instant::now();
                    match message {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(end) = self.on_frame(text.as_str(), handler, &replies, tasks) {
                                return end;
                            }
                        }
                        Some(Ok(Message::Close(_))) | None => return End::Lost,
                        Some(Err(error)) => {
                            tracing::warn!(%error, "DingTalk stream read failed");
                            return End::Lost;
                        }
                        Some(Ok(_)) => {}
                    }
                }
            }
        }
    }

    fn on_frame<H: EventHandler>(
        &self,
        text: &str,
        handler: &Arc<H>,
        replies: &mpsc::UnboundedSender<String>,
        tasks: &mut JoinSet<()>,
    ) -> Option<End> {
        let Some(frame) = Frame::parse(text) else {
            tracing::warn!("DingTalk stream sent a frame that is not JSON");
            return None;
        };
        match frame.frame_type() {
            FrameType::System => match frame.topic().as_str() {
                "ping" => {
                    if let Some(message_id) = frame.message_id() {
                        let data = frame.data.clone().unwrap_or_default();
                        let _ = replies.send(frame::ack(&message_id, 200, "OK", &data));
                    }
                    None
                }
                "disconnect" => Some(End::Disconnect),
                other => {
                    tracing::debug!(topic = other, "ignoring DingTalk stream system frame");
                    None
                }
            },
            FrameType::Event => {
                self.on_event(&frame, handler, replies, tasks);
                None
            }
            FrameType::Callback => {
                on_callback(&frame, handler, replies, tasks);
                None
            }
            FrameType::Other => None,
        }
    }

    fn on_event<H: EventHandler>(
        &self,
        frame: &Frame,
        handler: &Arc<H>,
        replies: &mpsc::UnboundedSender<String>,
        tasks: &mut JoinSet<()>,
    ) {
        let Some(message_id) = frame.message_id() else {
            tracing::warn!("DingTalk stream event without messageId ignored");
            return;
        };
        let event = Event::from_stream(
            frame.header("eventType").unwrap_or_default(),
            frame.header("eventId").filter(|id| !id.is_empty()),
            frame.header("eventCorpId"),
            frame.header("eventBornTime").and_then(|t| t.parse().ok()),
            frame.data_value(),
        );
        let mut keys = vec![format!("msg:{message_id}")];
        if let Some(event_id) = &event.event_id {
            keys.push(format!("event:{event_id}"));
        }
        let seen = lock(&self.recent).begin(&keys, Instant::now());
        match seen {
            Seen::Done(data) => {
                tracing::debug!(dingtalk.event_type = %event.event_type, "duplicate DingTalk event acknowledged again");
                let _ = replies.send(frame::ack(&message_id, 200, "OK", &data));
            }
            Seen::InFlight => {
                tracing::debug!(dingtalk.event_type = %event.event_type, "duplicate of an event being handled; not acknowledged yet");
            }
            Seen::New => {
                let handler = Arc::clone(handler);
                let replies = replies.clone();
                let recent = Arc::clone(&self.recent);
                tasks.spawn(async move {
                    let event_type = event.event_type.clone();
                    let outcome = AssertUnwindSafe(handler.handle(event)).catch_unwind().await;
                    let success = matches!(outcome, Ok(Ok(())));
                    match outcome {
                        Ok(Ok(())) => {}
                        Ok(Err(error)) => {
                            tracing::warn!(dingtalk.event_type = %event_type, %error, "event handler failed; asking DingTalk to redeliver");
                        }
                        Err(_) => {
                            tracing::error!(dingtalk.event_type = %event_type, "event handler panicked; asking DingTalk to redeliver");
                        }
                    }
                    let data = frame::event_status(success);
                    lock(&recent).finish(&keys, success.then(|| data.clone()), Instant::now());
                    let _ = replies.send(frame::ack(&message_id, 200, "OK", &data));
                });
            }
        }
    }
}

fn on_callback<H: EventHandler>(
    frame: &Frame,
    handler: &Arc<H>,
    replies: &mpsc::UnboundedSender<String>,
    tasks: &mut JoinSet<()>,
) {
    let Some(message_id) = frame.message_id() else {
        return;
    };
    let topic = frame.topic();
    if topic != CARD_CALLBACK_TOPIC {
        tracing::debug!(%topic, "DingTalk stream callback topic not handled");
        let _ = replies.send(frame::ack(
            &message_id,
            404,
            "topic not handled",
            &frame::callback_response(None),
        ));
        return;
    }
    let action = match CardAction::from_value(frame.data_value()) {
        Ok(action) => action,
        Err(error) => {
            tracing::warn!(%error, "malformed card callback");
            let _ = replies.send(frame::ack(
                &message_id,
                400,
                "malformed card callback",
                &frame::callback_response(None),
            ));
            return;
        }
    };
    let handler = Arc::clone(handler);
    let replies = replies.clone();
    tasks.spawn(async move {
        let outcome = AssertUnwindSafe(handler.handle_card_action(action))
            .catch_unwind()
            .await;
        let reply = match outcome {
            Ok(Ok(response)) => {
                frame::ack(&message_id, 200, "OK", &frame::callback_response(response))
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "card action handler failed");
                frame::ack(
                    &message_id,
                    500,
                    "handler failed",
                    &frame::callback_response(None),
                )
            }
            Err(_) => {
                tracing::error!("card action handler panicked");
                frame::ack(
                    &message_id,
                    500,
                    "handler failed",
                    &frame::callback_response(None),
                )
            }
        };
        let _ = replies.send(reply);
    });
}

fn lock(recent: &Mutex<Recent>) -> std::sync::MutexGuard<'_, Recent> {
    recent
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Failures that reconnecting cannot fix.
fn is_fatal(error: &DingTalkError) -> bool {
    matches!(error, DingTalkError::Config(_))
        || error.api_code().is_some_and(|code| code == "authFailed")
}
