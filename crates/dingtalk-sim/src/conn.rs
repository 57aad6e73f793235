//! A listener whose connections a handler can cut without answering (fault knob `dropRate`).
//!
//! Each accepted socket is wrapped in [`DroppableStream`]; its [`ConnHandle`] reaches handlers
//! through `ConnectInfo`. After [`ConnHandle::drop_connection`], every read and write on the
//! socket fails, so hyper abandons the connection before a single response byte is written.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections as droppable streams.
pub struct DroppableListener {
    inner: TcpListener,
}

impl DroppableListener {
    /// Wraps a bound listener.
    pub fn new(inner: TcpListener) -> Self {
        Self { inner }
    }
}

/// Per-connection handle: peer address and the switch that cuts the connection.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    /// Peer address.
    pub peer: SocketAddr,
    dropped: Arc<AtomicBool>,
}

impl ConnHandle {
    /// Makes every further read/write on the connection fail.
    pub fn drop_connection(&self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// A TCP stream that fails all I/O once its [`ConnHandle`] dropped it.
pub struct DroppableStream {
    inner: TcpStream,
    dropped: Arc<AtomicBool>,
}

fn cut() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by fault injection",
    )
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.dropped.load(Ordering::SeqCst) {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.dropped.load(Ordering::SeqCst) {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.dropped.load(Ordering::SeqCst) {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Listener for DroppableListener {
    type Io = DroppableStream;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let dropped = Arc::new(AtomicBool::new(false));
                    let handle = ConnHandle {
                        peer,
                        dropped: Arc::clone(&dropped),
                    };
                    return (
                        DroppableStream {
                            inner: stream,
                            dropped,
                        },
                        handle,
                    );
                }
                Err(error) => {
                    tracing::warn!(%error, "simulator accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(ConnHandle {
            peer: self.inner.local_addr()?,
            dropped: Arc::new(AtomicBool::new(false)),
        })
    }
}

impl Connected<IncomingStream<'_, DroppableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, DroppableListener>) -> Self {
        stream.remote_addr().clone()
    }
}
