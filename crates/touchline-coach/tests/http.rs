//! The chat client and the coach pipeline against a real HTTP server on loopback.

mod common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{GOOD_GOAL_ANSWER, Reply, goal_facts, serve};
use touchline_coach::{ChatClient, ChatConfig, ChatError, CoachError, Violation, coach};
use touchline_core::{GenerationRequest, TextGenerator};

fn config(url: &str) -> ChatConfig {
    let mut c = ChatConfig::new(url, "test-model");
    c.backoff = Duration::from_millis(10);
    c.max_backoff = Duration::from_millis(40);
    c.timeout = Duration::from_secs(5);
    c.stall_timeout = Duration::from_secs(5);
    c
}

#[test]
fn success_sends_openai_body_and_key() {
    let srv = serve(vec![Reply::completion("Hello from the model")]);
    let mut cfg = config(&srv.url);
    cfg.api_key = Some("sk-local".into());
    let mut c = ChatClient::new(cfg).unwrap();
    let mut req = GenerationRequest::new("one tip");
    req.system = Some("be brief".into());
    req.max_tokens = 77;
    assert_eq!(c.generate(&req).unwrap(), "Hello from the model");
    let raw = &srv.requests()[0];
    assert!(raw.starts_with("POST /v1/chat/completions HTTP/1.1"), "{raw}");
    assert!(raw.to_ascii_lowercase().contains("authorization: bearer sk-local"), "{raw}");
    let b = srv.body(0);
    assert_eq!(b["model"], "test-model");
    assert_eq!(b["max_tokens"], 77);
    assert_eq!(b["stream"], false);
    assert_eq!(b["messages"][0]["content"], "be brief");
    assert_eq!(b["messages"][1]["content"], "one tip");
}

#[test]
fn no_key_no_authorization_header() {
    let srv = serve(vec![Reply::completion("ok")]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    c.generate(&GenerationRequest::new("x")).unwrap();
    assert!(!srv.requests()[0].to_ascii_lowercase().contains("authorization"));
}

#[test]
fn streaming_calls_back_per_token() {
    let tokens = ["Goal", "!", " Lovely", " strike", "."];
    let srv = serve(vec![Reply::sse(&tokens)]);
    let mut cfg = config(&srv.url);
    cfg.stream = true;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&seen);
    let mut c = ChatClient::new(cfg).unwrap().on_token(move |t| sink.lock().unwrap().push(t.to_string()));
    let text = c.generate(&GenerationRequest::new("x")).unwrap();
    assert_eq!(text, "Goal! Lovely strike.");
    assert_eq!(*seen.lock().unwrap(), tokens);
    assert_eq!(srv.body(0)["stream"], true);
    assert!(srv.requests()[0].to_ascii_lowercase().contains("accept: text/event-stream"));
}

#[test]
fn stream_requested_but_plain_json_answer_still_works() {
    let srv = serve(vec![Reply::completion("whole answer")]);
    let mut cfg = config(&srv.url);
    cfg.stream = true;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&seen);
    let mut c = ChatClient::new(cfg).unwrap().on_token(move |t| sink.lock().unwrap().push(t.to_string()));
    assert_eq!(c.generate(&GenerationRequest::new("x")).unwrap(), "whole answer");
    assert_eq!(*seen.lock().unwrap(), ["whole answer"]);
}

#[test]
fn server_error_then_success_is_retried() {
    let srv = serve(vec![
        Reply::full(500, "text/plain", "model loading"),
        Reply::full(503, "text/plain", "busy"),
        Reply::completion("third time lucky"),
    ]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    assert_eq!(c.generate(&GenerationRequest::new("x")).unwrap(), "third time lucky");
    assert_eq!(srv.requests().len(), 3);
}

#[test]
fn persistent_server_error_exhausts_retries() {
    let srv = serve((0..3).map(|_| Reply::full(500, "text/plain", "out of memory")).collect());
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    match c.generate(&GenerationRequest::new("x")) {
        Err(ChatError::RetriesExhausted { attempts: 3, last }) => {
            assert!(
                matches!(*last, ChatError::Status { status: 500, ref body, .. } if body == "out of memory")
            );
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
}

#[test]
fn client_error_is_not_retried() {
    let srv = serve(vec![
        Reply::full(400, "application/json", r#"{"error":{"message":"model 'x' not found"}}"#),
        Reply::completion("should never be fetched"),
    ]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    let e = c.generate(&GenerationRequest::new("x")).unwrap_err();
    assert!(matches!(&e, ChatError::Status { status: 400, body, .. } if body.contains("not found")), "{e}");
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn slow_server_times_out_without_retry() {
    let mut slow = Reply::completion("too late");
    slow.delay = Duration::from_secs(3);
    let srv = serve(vec![slow, Reply::completion("never")]);
    let mut cfg = config(&srv.url);
    cfg.timeout = Duration::from_millis(300);
    let mut c = ChatClient::new(cfg).unwrap();
    let t0 = Instant::now();
    let e = c.generate(&GenerationRequest::new("x")).unwrap_err();
    let took = t0.elapsed();
    assert!(matches!(e, ChatError::Timeout { .. }), "{e:?}");
    assert!(took < Duration::from_millis(2000), "took {took:?}");
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn stalled_stream_times_out() {
    let mut r = Reply::sse(&["a", "b", "c"]);
    r.gap = Duration::from_secs(3);
    let srv = serve(vec![r]);
    let mut cfg = config(&srv.url);
    cfg.stream = true;
    cfg.stall_timeout = Duration::from_millis(300);
    let mut c = ChatClient::new(cfg).unwrap();
    let t0 = Instant::now();
    let e = c.generate(&GenerationRequest::new("x")).unwrap_err();
    assert!(matches!(e, ChatError::Timeout { .. }), "{e:?}");
    assert!(t0.elapsed() < Duration::from_millis(2500));
}

#[test]
fn malformed_json_is_a_typed_error() {
    let srv = serve(vec![
        Reply::full(200, "application/json", "{\"choices\": [ {\"message\": "),
        Reply::full(200, "application/json", r#"{"choices": []}"#),
        Reply::full(200, "application/json", r#"{"error": {"message": "context too long"}}"#),
    ]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    let r = GenerationRequest::new("x");
    let e = c.generate(&r).unwrap_err();
    assert!(matches!(&e, ChatError::Malformed { detail, .. } if detail.starts_with("not JSON")), "{e}");
    let e = c.generate(&r).unwrap_err();
    assert!(matches!(&e, ChatError::Malformed { detail, .. } if detail.contains("choices[0]")), "{e}");
    let e = c.generate(&r).unwrap_err();
    assert!(e.to_string().contains("context too long"), "{e}");
    assert_eq!(srv.requests().len(), 3, "malformed answers are not retried");
}

#[test]
fn malformed_stream_event() {
    let mut r = Reply::sse(&["ok"]);
    r.pieces.insert(2, b"data: {not json}\n\n".to_vec());
    let srv = serve(vec![r]);
    let mut cfg = config(&srv.url);
    cfg.stream = true;
    let e = ChatClient::new(cfg).unwrap().generate(&GenerationRequest::new("x")).unwrap_err();
    assert!(matches!(&e, ChatError::Malformed { detail, .. } if detail.contains("stream event 2")), "{e}");
}

#[test]
fn stream_cut_after_tokens_is_not_retried() {
    let mut r = Reply::sse(&["Goal", "!", " more"]);
    r.cut = true; // closes after the first token event
    let srv = serve(vec![r, Reply::sse(&["again"])]);
    let mut cfg = config(&srv.url);
    cfg.stream = true;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&seen);
    let mut c = ChatClient::new(cfg).unwrap().on_token(move |t| sink.lock().unwrap().push(t.to_string()));
    let e = c.generate(&GenerationRequest::new("x")).unwrap_err();
    assert!(matches!(e, ChatError::Connection { .. } | ChatError::Malformed { .. }), "{e:?}");
    assert_eq!(*seen.lock().unwrap(), ["Goal"]);
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn connection_refused_is_retried_then_reported() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = ChatClient::new(config(&format!("http://127.0.0.1:{port}/v1"))).unwrap();
    match c.generate(&GenerationRequest::new("x")) {
        Err(ChatError::RetriesExhausted { attempts: 3, last }) => {
            assert!(matches!(*last, ChatError::Connection { .. }), "{last:?}");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
}

#[test]
fn image_goes_as_data_url_content_part() {
    let srv = serve(vec![Reply::completion("I see a strike")]);
    let png = [0x89u8, b'P', b'N', b'G', 0, 1, 2];
    let mut c = ChatClient::new(config(&srv.url)).unwrap().with_image("image/png", &png);
    c.generate(&GenerationRequest::new("describe")).unwrap();
    let b = srv.body(0);
    let parts = &b["messages"][0]["content"];
    assert_eq!(parts[0]["type"], "text");
    assert_eq!(parts[1]["type"], "image_url");
    assert_eq!(parts[1]["image_url"]["url"], "data:image/png;base64,iVBORwABAg==");
}

#[test]
fn coach_accepts_a_grounded_answer() {
    let srv = serve(vec![Reply::completion(GOOD_GOAL_ANSWER)]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    let out = coach(&goal_facts(), &mut c).unwrap();
    assert_eq!(out.attempts, 1);
    assert_eq!(out.sections.opening, "Great strike, that's a goal!");
    let b = srv.body(0);
    let prompt = b["messages"][1]["content"].as_str().unwrap();
    assert!(prompt.contains("knee flexion: 58°") && prompt.contains("hip drive: UNRELIABLE"), "{prompt}");
}

#[test]
fn contradicting_answer_retries_with_reason_then_errors() {
    let wrong = GOOD_GOAL_ANSWER.replace("Great strike, that's a goal!", "Unlucky, the keeper saved it.");
    let wrong2 = GOOD_GOAL_ANSWER.replace("right-foot", "left-footed");
    let srv = serve(vec![Reply::completion(&wrong), Reply::completion(&wrong2), Reply::completion("never")]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    match coach(&goal_facts(), &mut c) {
        Err(CoachError::Rejected { attempts, reasons, last_text }) => {
            assert_eq!(attempts, 2);
            assert_eq!(last_text, wrong2);
            assert!(matches!(&reasons[0], Violation::WrongFoot { .. }), "{reasons:?}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_eq!(srv.requests().len(), 2);
    let first = srv.body(0)["messages"][1]["content"].as_str().unwrap().to_string();
    let retry = srv.body(1)["messages"][1]["content"].as_str().unwrap().to_string();
    assert!(retry.starts_with(&first));
    assert!(retry.contains("rejected") && retry.contains("contradicts the measured outcome"), "{retry}");
}

#[test]
fn contradicting_then_good_answer_passes_on_retry() {
    let wrong = GOOD_GOAL_ANSWER.replace("96 km/h", "150 km/h");
    let srv = serve(vec![Reply::completion(&wrong), Reply::completion(GOOD_GOAL_ANSWER)]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    let out = coach(&goal_facts(), &mut c).unwrap();
    assert_eq!(out.attempts, 2);
    let retry = srv.body(1)["messages"][1]["content"].as_str().unwrap().to_string();
    assert!(retry.contains("states 150 km/h but the measured speed is 96 km/h"), "{retry}");
}

#[test]
fn generator_failure_is_a_coach_error() {
    let srv = serve(vec![Reply::full(404, "text/plain", "no such route")]);
    let mut c = ChatClient::new(config(&srv.url)).unwrap();
    let e = coach(&goal_facts(), &mut c).unwrap_err();
    assert!(matches!(e, CoachError::Generator(_)));
    assert!(e.to_string().contains("HTTP 404"), "{e}");
}
