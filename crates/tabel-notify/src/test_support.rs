//! A small SMTP server on loopback for tests and benchmarks: it speaks enough ESMTP for lettre
//! (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message it
//! accepted, can insist on a login (a wrong password is refused with 535), and can hold the
//! answer to DATA — the message is then never accepted — to stand for a server that hangs
//! while a worker is killed.
#![allow(clippy::expect_used)] // test helpers: a broken sink should stop the test at once

use crate::config::{Secret, SmtpConfig, TlsMode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A message the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: String,
}

impl Mail {
    /// A header's raw value (folded lines joined).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut()
                && (line.starts_with(' ') || line.starts_with('\t'))
            {
                v.push_str(line.trim_start());
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }

    /// The subject, decoded (RFC 2047 encoded words).
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The text of the body, decoded (base64, quoted-printable or as is).
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        match self
            .header("Content-Transfer-Encoding")
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("base64") => {
                String::from_utf8_lossy(&base64(&body.replace("\r\n", ""))).into_owned()
            }
            Some("quoted-printable") => {
                String::from_utf8_lossy(&quoted_printable(body)).into_owned()
            }
            _ => body.to_owned(),
        }
    }
}

/// Decodes base64 (standard alphabet, padding optional); invalid characters are skipped.
pub fn base64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).unwrap_or(0));
        }
    }
    out
}

fn quoted_printable(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if let Some(h) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(h);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("=?") {
        out.push_str(&rest[..start]);
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let Some(end) = parts.get(2).and_then(|p| p.find("?=")) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let text = &parts[2][..end];
        let bytes = if parts[1].eq_ignore_ascii_case("b") {
            base64(text)
        } else {
            quoted_printable(&text.replace('_', " "))
        };
        out.push_str(&String::from_utf8_lossy(&bytes));
        rest = &parts[2][end + 2..];
        // Whitespace between adjacent encoded words is not part of the text.
        if rest.trim_start().starts_with("=?") {
            rest = rest.trim_start();
        }
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Default)]
struct State {
    mails: Vec<Mail>,
    login: Option<(String, String)>,
    stall_after: Option<usize>,
    held: usize,
    connections: usize,
}

/// The sink. Dropping it stops it.
#[derive(Debug)]
pub struct SmtpSink {
    port: u16,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Starts on a free loopback port.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let port = listener.local_addr().expect("sink address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, state).await;
                });
            }
        });
        SmtpSink { port, state, task }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Settings for a notifier that sends here (no TLS).
    pub fn smtp_config(&self) -> SmtpConfig {
        let mut c = SmtpConfig::new("127.0.0.1", "Школа № 1 <noreply@school1.test>");
        c.port = Some(self.port);
        c.tls = TlsMode::None;
        c.timeout = Duration::from_secs(10);
        c
    }

    /// Settings that log in as `user` with `password`.
    pub fn smtp_config_with_login(&self, user: &str, password: &str) -> SmtpConfig {
        let mut c = self.smtp_config();
        c.user = Some(user.to_owned());
        c.password = Some(Secret::new(password));
        c
    }

    /// From now on, a login is required and only this one is accepted.
    pub fn require_login(&self, user: &str, password: &str) {
        self.state().login = Some((user.to_owned(), password.to_owned()));
    }

    /// After `accepted` messages in all, hold every further message without an answer (it is
    /// never accepted); `None` answers again.
    pub fn stall_after(&self, accepted: Option<usize>) {
        self.state().stall_after = accepted;
    }

    /// Messages accepted so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.state().mails.clone()
    }

    /// How many were accepted.
    pub fn count(&self) -> usize {
        self.state().mails.len()
    }

    /// Messages received and held without an answer.
    pub fn held(&self) -> usize {
        self.state().held
    }

    /// Connections opened so far (pooling keeps this small).
    pub fn connections(&self) -> usize {
        self.state().connections
    }

    /// Waits until `n` messages were accepted; whether they were within `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let until = tokio::time::Instant::now() + timeout;
        loop {
            if self.count() >= n {
                return true;
            }
            if tokio::time::Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until a message is held; whether one was within `timeout`.
    pub async fn wait_held(&self, timeout: Duration) -> bool {
        let until = tokio::time::Instant::now() + timeout;
        while self.held() == 0 {
            if tokio::time::Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn serve(socket: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    lock(&state).connections += 1;
    // Answers are small writes: without this, Nagle's algorithm and delayed ACKs add ~40 ms to
    // each exchange (real servers set it too).
    socket.set_nodelay(true)?;
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let mut authed = false;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        let login = lock(&state).login.clone();
        if upper.starts_with("EHLO") {
            let auth = if login.is_some() {
                "250-AUTH PLAIN LOGIN\r\n"
            } else {
                ""
            };
            write
                .write_all(format!("250-sink.test\r\n{auth}250 8BITMIME\r\n").as_bytes())
                .await?;
        } else if upper.starts_with("HELO") || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("AUTH PLAIN") {
            let mut arg = cmd.get(10..).unwrap_or("").trim().to_owned();
            if arg.is_empty() {
                write.write_all(b"334 \r\n").await?;
                arg.clear();
                reader.read_line(&mut arg).await?;
            }
            let raw = base64(arg.trim());
            let parts: Vec<String> = raw
                .split(|b| *b == 0)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            let given = (
                parts.get(1).cloned().unwrap_or_default(),
                parts.get(2).cloned().unwrap_or_default(),
            );
            authed = login.as_ref() == Some(&given);
            let answer: &[u8] = if authed {
                b"235 2.7.0 Authentication successful\r\n"
            } else {
                b"535 5.7.8 Authentication credentials invalid\r\n"
            };
            write.write_all(answer).await?;
        } else if upper.starts_with("AUTH LOGIN") {
            write.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
            let mut user = String::new();
            reader.read_line(&mut user).await?;
            write.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
            let mut pass = String::new();
            reader.read_line(&mut pass).await?;
            let given = (
                String::from_utf8_lossy(&base64(user.trim())).into_owned(),
                String::from_utf8_lossy(&base64(pass.trim())).into_owned(),
            );
            authed = login.as_ref() == Some(&given);
            let answer: &[u8] = if authed {
                b"235 2.7.0 Authentication successful\r\n"
            } else {
                b"535 5.7.8 Authentication credentials invalid\r\n"
            };
            write.write_all(answer).await?;
        } else if upper.starts_with("MAIL FROM:") {
            if login.is_some() && !authed {
                write
                    .write_all(b"530 5.7.0 Authentication required\r\n")
                    .await?;
                continue;
            }
            from = address(&cmd[10..]);
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&cmd[8..]));
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            let hold = {
                let mut s = lock(&state);
                let hold = s.stall_after.is_some_and(|k| s.mails.len() >= k);
                if hold {
                    s.held += 1;
                }
                hold
            };
            if hold {
                // Never answered, never accepted: wait for the client to go away.
                let mut sink = Vec::new();
                let _ = reader.read_to_end(&mut sink).await;
                return Ok(());
            }
            lock(&state).mails.push(Mail {
                from: from.clone(),
                to: to.clone(),
                data: data.trim_end_matches("\r\n").to_owned(),
            });
            write.write_all(b"250 2.0.0 accepted\r\n").await?;
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 5.5.2 not implemented\r\n").await?;
        }
    }
}

fn address(raw: &str) -> String {
    let raw = raw.trim();
    let inner = raw
        .split_once('<')
        .and_then(|(_, r)| r.split_once('>'))
        .map_or(raw, |(a, _)| a);
    inner.to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn encoded_words_and_bodies_decode() {
        assert_eq!(
            String::from_utf8(base64("0J/RgNC40LLQtdGC")).unwrap(),
            "Привет"
        );
        assert_eq!(
            decode_words("=?utf-8?b?0J/RgNC40LLQtdGC?= =?utf-8?b?INC80LjRgA==?="),
            "Привет мир"
        );
        assert_eq!(decode_words("plain"), "plain");
        assert_eq!(
            String::from_utf8(quoted_printable("a=3Db=\r\nc")).unwrap(),
            "a=bc"
        );
        assert_eq!(address(" <a@b.c> SIZE=100"), "a@b.c");
    }
}
