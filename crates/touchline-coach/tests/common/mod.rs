//! A canned HTTP/1.1 server on loopback for the client tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use touchline_coach::{Flag, Foot, Measurement, Outcome, ShotFacts, Speed, Sport};

/// One canned reply.
pub struct Reply {
    /// Wait before answering.
    pub delay: Duration,
    /// Status line and headers (without the blank line).
    pub head: String,
    /// Body pieces, written one by one with `gap` between them.
    pub pieces: Vec<Vec<u8>>,
    /// Pause between pieces.
    pub gap: Duration,
    /// Chunked transfer encoding.
    pub chunked: bool,
    /// Close the connection in the middle of the body (after the first piece).
    pub cut: bool,
}

impl Reply {
    /// A complete response with a Content-Length.
    pub fn full(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            delay: Duration::ZERO,
            head: format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close",
                reason(status),
                body.len()
            ),
            pieces: vec![body.as_bytes().to_vec()],
            gap: Duration::ZERO,
            chunked: false,
            cut: false,
        }
    }

    /// An OpenAI chat-completions answer with `content`.
    pub fn completion(content: &str) -> Reply {
        let body = serde_json::json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
        });
        Reply::full(200, "application/json", &body.to_string())
    }

    /// A server-sent-events stream of `tokens` (one chunk per event), then `[DONE]`.
    pub fn sse(tokens: &[&str]) -> Reply {
        let mut pieces: Vec<Vec<u8>> = vec![b": keep-alive comment\n\n".to_vec()];
        for t in tokens {
            let ev = serde_json::json!({"object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": null}]});
            pieces.push(format!("data: {ev}\n\n").into_bytes());
        }
        pieces.push(b"data: [DONE]\n\n".to_vec());
        Reply {
            delay: Duration::ZERO,
            head: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close"
                .into(),
            pieces,
            gap: Duration::from_millis(5),
            chunked: true,
            cut: false,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A running server: its base URL and the requests it received (head + body).
pub struct Server {
    /// `http://127.0.0.1:PORT/v1`.
    pub url: String,
    /// Raw requests in arrival order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// The requests so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// The JSON body of request `i`.
    pub fn body(&self, i: usize) -> serde_json::Value {
        let r = &self.requests()[i];
        let b = r.split("\r\n\r\n").nth(1).unwrap_or("");
        serde_json::from_str(b).unwrap_or_else(|e| panic!("request {i} body is not JSON ({e}): {b}"))
    }
}

/// Serves `replies` in order, one connection each, then stops listening.
pub fn serve(replies: Vec<Reply>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    thread::spawn(move || {
        for reply in replies {
            let Ok((stream, _)) = listener.accept() else { return };
            let req = read_request(&stream);
            if let Ok(mut l) = log.lock() {
                l.push(req);
            }
            answer(stream, &reply);
        }
    });
    Server { url: format!("http://127.0.0.1:{port}/v1"), requests }
}

fn read_request(stream: &TcpStream) -> String {
    let mut r = BufReader::new(stream);
    let mut head = String::new();
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let mut body = vec![0u8; len];
    let _ = r.read_exact(&mut body);
    head + &String::from_utf8_lossy(&body)
}

fn answer(mut s: TcpStream, reply: &Reply) {
    thread::sleep(reply.delay);
    if s.write_all(format!("{}\r\n\r\n", reply.head).as_bytes()).is_err() {
        return;
    }
    for (i, p) in reply.pieces.iter().enumerate() {
        let ok = if reply.chunked {
            s.write_all(format!("{:x}\r\n", p.len()).as_bytes()).is_ok()
                && s.write_all(p).is_ok()
                && s.write_all(b"\r\n").is_ok()
        } else {
            s.write_all(p).is_ok()
        };
        let _ = s.flush();
        if !ok || (reply.cut && i >= 1) {
            let _ = s.shutdown(std::net::Shutdown::Both);
            return;
        }
        thread::sleep(reply.gap);
    }
    if reply.chunked {
        let _ = s.write_all(b"0\r\n\r\n");
    }
    let _ = s.flush();
}

/// A right-footed goal at 96 km/h with one flagged and one unreliable measurement.
pub fn goal_facts() -> ShotFacts {
    ShotFacts {
        sport: Sport::Football,
        outcome: Outcome::Goal,
        shooter: "player 8".into(),
        foot: Foot::Right,
        speed: Some(Speed { kmh: 96.0, uncertainty_kmh: 7.0 }),
        measurements: vec![
            Measurement::degrees("knee_flexion", 58.0, 0.9, [70.0, 110.0], Flag::Low),
            Measurement::degrees("trunk_lean", 14.0, 0.8, [0.0, 20.0], Flag::Ok),
            Measurement::degrees("hip_drive", 35.0, 0.2, [20.0, 50.0], Flag::Ok),
        ],
    }
}

/// A valid answer for [`goal_facts`].
pub const GOOD_GOAL_ANSWER: &str = "Great strike, that's a goal!\n\n## Verdict\nA right-foot finish at about 96 km/h.\n\n\
## Fix 1\nYour knee flexion was 58°, below the good range: bend the knee more.\n\n## Fix 2\nKeep the chest over the ball.\n\n\
## Drill\n3 sets of 10 wall strikes.";
