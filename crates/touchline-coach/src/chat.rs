//! An OpenAI-compatible chat-completions client (`POST {base}/chat/completions`)
//! over `ureq`: works with the llama.cpp server, Ollama and vLLM.
//!
//! - optional API key (`Authorization: Bearer`), optional image of the
//!   strike frame as a base64 data URL (`image_url` content part) for
//!   vision models;
//! - streaming (`stream: true`, server-sent events) with a callback per token;
//! - timeouts: connect, whole answer (or time to the first byte when
//!   streaming), and the longest silence between streamed chunks;
//! - retries with exponential backoff on 5xx answers and connection errors,
//!   never on 4xx, timeouts or malformed answers, and never after tokens
//!   were already streamed to the callback.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use touchline_core::{GenerationRequest, TextGenerator};

use crate::error::ChatError;

/// Where and how to reach the server.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatConfig {
    /// Base URL up to `/v1`, e.g. `http://127.0.0.1:8080/v1` (llama.cpp) or
    /// `http://127.0.0.1:11434/v1` (Ollama); a URL already ending in
    /// `/chat/completions` is used as is.
    pub base_url: String,
    /// Model name as the server knows it (`qwen2.5:3b`, anything for llama.cpp).
    pub model: String,
    /// Bearer token, if the server wants one.
    pub api_key: Option<String>,
    /// Stream tokens (SSE).
    pub stream: bool,
    /// Connecting.
    pub connect_timeout: Duration,
    /// The whole answer without streaming; time to the response headers with.
    pub timeout: Duration,
    /// Streaming: the longest wait for the next chunk.
    pub stall_timeout: Duration,
    /// Retries after the first attempt (5xx and connection errors only).
    pub max_retries: u32,
    /// First backoff; doubled after each retry.
    pub backoff: Duration,
    /// Backoff cap.
    pub max_backoff: Duration,
}

impl ChatConfig {
    /// Defaults: no key, no streaming, 5 s connect, 120 s answer, 30 s
    /// stall, 2 retries from 500 ms backoff capped at 8 s.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        ChatConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            stream: false,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(120),
            stall_timeout: Duration::from_secs(30),
            max_retries: 2,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }

    /// The chat-completions endpoint.
    pub fn endpoint(&self) -> String {
        let b = self.base_url.trim().trim_end_matches('/');
        if b.ends_with("/chat/completions") { b.to_string() } else { format!("{b}/chat/completions") }
    }

    /// The wait before retry number `k` (0-based).
    pub fn backoff_for(&self, k: u32) -> Duration {
        let f = 2u32.saturating_pow(k.min(20));
        self.backoff.saturating_mul(f).min(self.max_backoff)
    }
}

/// Streamed-token callback.
pub type TokenCallback = Box<dyn FnMut(&str) + Send>;

/// The client. Implements [`TextGenerator`].
///
/// ```no_run
/// use touchline_coach::{ChatClient, ChatConfig};
/// use touchline_core::{GenerationRequest, TextGenerator};
/// let mut cfg = ChatConfig::new("http://127.0.0.1:11434/v1", "qwen2.5:3b");
/// cfg.stream = true;
/// let mut client = ChatClient::new(cfg)?.on_token(|t| print!("{t}"));
/// let text = client.generate(&GenerationRequest::new("One tip for a penalty?"))?;
/// # Ok::<(), touchline_coach::ChatError>(())
/// ```
pub struct ChatClient {
    config: ChatConfig,
    endpoint: String,
    agent: ureq::Agent,
    image_url: Option<String>,
    on_token: Option<TokenCallback>,
}

impl std::fmt::Debug for ChatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatClient")
            .field("endpoint", &self.endpoint)
            .field("model", &self.config.model)
            .field("stream", &self.config.stream)
            .field("image", &self.image_url.as_ref().map(|u| u.len()))
            .finish_non_exhaustive()
    }
}

impl ChatClient {
    /// A client for `config` (checked: http(s) URL, non-empty model).
    pub fn new(config: ChatConfig) -> Result<Self, ChatError> {
        let endpoint = config.endpoint();
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(ChatError::Config(format!(
                "base URL {:?} must start with http:// or https://",
                config.base_url
            )));
        }
        if config.model.trim().is_empty() {
            return Err(ChatError::Config("empty model name".into()));
        }
        let mut b = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .user_agent(concat!("touchline-coach/", env!("CARGO_PKG_VERSION")));
        b = if config.stream {
            b.timeout_recv_response(Some(config.timeout)).timeout_per_read(Some(config.stall_timeout))
        } else {
            b.timeout_per_call(Some(config.timeout))
        };
        let agent = b.build().new_agent();
        Ok(ChatClient { config, endpoint, agent, image_url: None, on_token: None })
    }

    /// The configuration.
    pub fn config(&self) -> &ChatConfig {
        &self.config
    }

    /// Calls `f` with each streamed token (with `stream: false`, once with the whole answer).
    pub fn on_token(mut self, f: impl FnMut(&str) + Send + 'static) -> Self {
        self.on_token = Some(Box::new(f));
        self
    }

    /// Attaches an image (e.g. the strike frame) sent with every request as a
    /// `data:` URL, for vision models.
    pub fn with_image(mut self, mime: &str, bytes: &[u8]) -> Self {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.image_url = Some(format!("data:{mime};base64,{b64}"));
        self
    }

    /// [`with_image`](Self::with_image) from a PNG, JPEG or WebP file.
    pub fn with_image_file(self, path: &Path) -> Result<Self, ChatError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
        let mime = match ext.as_deref() {
            Some("png") => "image/png",
            Some("jpg") | Some("jpeg") => "image/jpeg",
            Some("webp") => "image/webp",
            _ => {
                return Err(ChatError::Config(format!(
                    "{}: image must be .png, .jpg/.jpeg or .webp",
                    path.display()
                )));
            }
        };
        let bytes = std::fs::read(path).map_err(|e| ChatError::Config(format!("{}: {e}", path.display())))?;
        Ok(self.with_image(mime, &bytes))
    }

    /// The JSON body sent for `req`.
    pub fn request_body(&self, req: &GenerationRequest) -> Value {
        let mut messages = Vec::new();
        if let Some(s) = &req.system {
            messages.push(json!({"role": "system", "content": s}));
        }
        let content = match &self.image_url {
            Some(url) => json!([
                {"type": "text", "text": req.prompt},
                {"type": "image_url", "image_url": {"url": url}}
            ]),
            None => json!(req.prompt),
        };
        messages.push(json!({"role": "user", "content": content}));
        let temperature = if req.temperature.is_finite() { req.temperature.max(0.0) } else { 0.0 };
        json!({
            "model": self.config.model,
            "messages": messages,
            "max_tokens": req.max_tokens,
            "temperature": temperature,
            "stream": self.config.stream,
        })
    }

    /// Sends `req`, retrying as configured; the whole answer text.
    pub fn chat(&mut self, req: &GenerationRequest) -> Result<String, ChatError> {
        let body = serde_json::to_vec(&self.request_body(req))
            .map_err(|e| ChatError::Config(format!("cannot encode request: {e}")))?;
        let attempts = self.config.max_retries.saturating_add(1);
        let mut k = 0;
        loop {
            let mut emitted = false;
            match self.attempt(&body, &mut emitted) {
                Ok(t) => return Ok(t),
                Err(e) if e.is_retryable() && !emitted && k + 1 < attempts => {
                    std::thread::sleep(self.config.backoff_for(k));
                    k += 1;
                }
                Err(e) if e.is_retryable() && k > 0 => {
                    return Err(ChatError::RetriesExhausted { attempts: k + 1, last: Box::new(e) });
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn attempt(&mut self, body: &[u8], emitted: &mut bool) -> Result<String, ChatError> {
        let mut req = self.agent.post(&self.endpoint).header("Content-Type", "application/json");
        if let Some(k) = &self.config.api_key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        if self.config.stream {
            req = req.header("Accept", "text/event-stream");
        }
        let resp = req.send(body).map_err(|e| self.map_err(e))?;
        let status = resp.status().as_u16();
        let is_sse = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/event-stream"));
        let mut reader = resp.into_body().into_reader();
        if !(200..300).contains(&status) {
            let text = read_limited(&mut reader, 4096);
            return Err(ChatError::Status { url: self.endpoint.clone(), status, body: text });
        }
        if is_sse {
            self.read_stream(reader, emitted)
        } else {
            let mut raw = Vec::new();
            reader.read_to_end(&mut raw).map_err(|e| self.map_err(ureq::Error::from(e)))?;
            let text = String::from_utf8_lossy(&raw);
            let content = self.parse_completion(&text)?;
            if let Some(cb) = self.on_token.as_mut() {
                cb(&content);
                *emitted = true;
            }
            Ok(content)
        }
    }

    fn malformed(&self, detail: impl Into<String>, body: &str) -> ChatError {
        ChatError::Malformed { url: self.endpoint.clone(), detail: detail.into(), body: head(body, 300) }
    }

    fn parse_completion(&self, text: &str) -> Result<String, ChatError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| self.malformed(format!("not JSON: {e}"), text))?;
        if let Some(err) = v.get("error") {
            return Err(self.malformed(format!("server error: {err}"), text));
        }
        match v.pointer("/choices/0/message/content") {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Null) | None => Err(self.malformed("no choices[0].message.content", text)),
            Some(other) => Err(self.malformed(format!("content is not a string: {other}"), text)),
        }
    }

    fn read_stream(&mut self, reader: impl Read, emitted: &mut bool) -> Result<String, ChatError> {
        let mut lines = BufReader::new(reader);
        let mut out = String::new();
        let mut line = String::new();
        let mut done = false;
        let mut events = 0usize;
        loop {
            line.clear();
            let n = lines.read_line(&mut line).map_err(|e| self.map_err(ureq::Error::from(e)))?;
            if n == 0 {
                break;
            }
            let l = line.trim_end_matches(['\r', '\n']);
            let Some(data) = l.strip_prefix("data:") else { continue }; // event:, id:, comments, blanks
            let data = data.trim_start();
            if data == "[DONE]" {
                done = true;
                break;
            }
            events += 1;
            let v: Value = serde_json::from_str(data)
                .map_err(|e| self.malformed(format!("stream event {events} is not JSON: {e}"), data))?;
            if let Some(err) = v.get("error") {
                return Err(self.malformed(format!("server error in stream: {err}"), data));
            }
            if let Some(Value::String(tok)) = v.pointer("/choices/0/delta/content")
                && !tok.is_empty()
            {
                out.push_str(tok);
                if let Some(cb) = self.on_token.as_mut() {
                    cb(tok);
                    *emitted = true;
                }
            }
        }
        if !done && out.is_empty() {
            return Err(self.malformed("stream ended without any content or [DONE]", &out));
        }
        Ok(out)
    }

    fn map_err(&self, e: ureq::Error) -> ChatError {
        let url = self.endpoint.clone();
        match e {
            ureq::Error::Timeout(ureq::Timeout::Connect) => {
                ChatError::Connection { url, detail: "connect timed out".into() }
            }
            ureq::Error::Timeout(t) => ChatError::Timeout { url, detail: format!("{t:?} timeout") },
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    ChatError::Timeout { url, detail: io.to_string() }
                }
                _ => ChatError::Connection { url, detail: io.to_string() },
            },
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
                ChatError::Connection { url, detail: e.to_string() }
            }
            ureq::Error::BadUri(s) => ChatError::Config(format!("bad URL {url}: {s}")),
            ureq::Error::Protocol(p) => {
                ChatError::Malformed { url, detail: format!("HTTP protocol error: {p}"), body: String::new() }
            }
            other => ChatError::Connection { url, detail: other.to_string() },
        }
    }
}

fn read_limited(r: &mut impl Read, max: u64) -> String {
    let mut buf = Vec::new();
    let _ = r.take(max).read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).trim().to_string()
}

fn head(s: &str, n: usize) -> String {
    if s.chars().count() > n { s.chars().take(n).collect::<String>() + "…" } else { s.to_string() }
}

impl TextGenerator for ChatClient {
    type Error = ChatError;

    fn generate(&mut self, request: &GenerationRequest) -> Result<String, ChatError> {
        self.chat(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_and_backoff() {
        let c = ChatConfig::new("http://h:1/v1/", "m");
        assert_eq!(c.endpoint(), "http://h:1/v1/chat/completions");
        let c2 = ChatConfig::new("http://h:1/v1/chat/completions", "m");
        assert_eq!(c2.endpoint(), "http://h:1/v1/chat/completions");
        assert_eq!(c.backoff_for(0), Duration::from_millis(500));
        assert_eq!(c.backoff_for(2), Duration::from_secs(2));
        assert_eq!(c.backoff_for(30), Duration::from_secs(8));
    }

    #[test]
    fn config_is_checked() {
        assert!(matches!(ChatClient::new(ChatConfig::new("ftp://x", "m")), Err(ChatError::Config(_))));
        assert!(matches!(ChatClient::new(ChatConfig::new("http://x", " ")), Err(ChatError::Config(_))));
    }

    #[test]
    fn body_with_image_and_system() {
        let c = ChatClient::new(ChatConfig::new("http://x/v1", "m")).unwrap().with_image("image/png", b"abc");
        let mut r = GenerationRequest::new("hi");
        r.system = Some("sys".into());
        r.temperature = f32::NAN;
        let b = c.request_body(&r);
        assert_eq!(b["messages"][0]["role"], "system");
        assert_eq!(b["messages"][1]["content"][0]["text"], "hi");
        assert_eq!(b["messages"][1]["content"][1]["image_url"]["url"], "data:image/png;base64,YWJj");
        assert_eq!(b["temperature"], 0.0);
        assert_eq!(b["stream"], false);
    }

    #[test]
    fn image_file_errors_name_the_file() {
        let c = ChatClient::new(ChatConfig::new("http://x/v1", "m")).unwrap();
        let e = c.with_image_file(Path::new("/nonexistent/strike.png")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/strike.png"), "{e}");
        let c = ChatClient::new(ChatConfig::new("http://x/v1", "m")).unwrap();
        assert!(c.with_image_file(Path::new("a.gif")).unwrap_err().to_string().contains("a.gif"));
    }
}
