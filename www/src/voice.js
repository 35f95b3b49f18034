/*
 * Voice for the live pages (模拟面试, 会议助手): the microphone and the interviewer's voice.
 *
 * useMic({lang, onFinal}) picks what this browser and server offer (GET /api/v1/speech/capabilities):
 *   'asr'     the server's recognizer: MediaRecorder chunks POSTed in order to
 *             /api/v1/paraformer/{asr_id}/audio?seq=N, partial transcripts back on the user's
 *             channel as {type: "asr.partial", asr_id, text, final};
 *   'browser' the browser's own webkitSpeechRecognition;
 *   null      typing only (the button is not shown).
 * While recording, partial is the live transcript; on stop (stopping while the last transcription
 * runs) onFinal(text) gets what was said.
 *
 * useSpeaker() plays a text through POST /api/v1/tts/stream (fetch → Blob → object URL, revoked
 * when the next one starts or the page goes).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { listen } from './live.js';

let caps = null;
export function capabilities() {
  caps = caps || api('GET', '/api/v1/speech/capabilities').catch(() => ({ tts: false, asr: false }));
  return caps;
}

const SR = typeof window !== 'undefined' && (window.SpeechRecognition || window.webkitSpeechRecognition);
const canRecord = () => typeof MediaRecorder !== 'undefined' && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
const locale = (lang) => (lang === 'en' ? 'en-US' : 'zh-CN');

/* the server takes WebM (Opus) chunks; a browser that records only something else uses its own recognition */
function recorderType() {
  if (typeof MediaRecorder === 'undefined' || !MediaRecorder.isTypeSupported) return '';
  for (const m of ['audio/webm;codecs=opus', 'audio/webm']) if (MediaRecorder.isTypeSupported(m)) return m;
  return '';
}

export function useMic({ lang, onFinal }) {
  const [mode, setMode] = useState(undefined);
  const [recording, setRecording] = useState(false);
  const [partial, setPartial] = useState('');
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState(null);
  const cur = useRef(null);
  const done = useRef(onFinal);
  done.current = onFinal;

  useEffect(() => {
    let gone = false;
    capabilities().then((c) => {
      if (gone) return;
      setMode(c && c.asr && canRecord() && recorderType() ? 'asr' : SR ? 'browser' : null);
    });
    return () => { gone = true; if (cur.current) cur.current.abort(); };
  }, []);

  const finish = (text) => {
    cur.current = null;
    setRecording(false);
    setStopping(false);
    setPartial('');
    const s = (text || '').trim();
    if (s) done.current(s);
  };

  /* each asr.partial is the transcript of all the audio so far; the one with final: true ends it */
  const startAsr = async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    let d;
    try { d = await api('POST', '/api/v1/paraformer/start', { lang, format: 'webm' }); } catch (e) { stream.getTracks().forEach((x) => x.stop()); throw e; }
    const id = String(d.asr_id);
    const rec = new MediaRecorder(stream, { mimeType: recorderType() });
    let seq = 0, chain = Promise.resolve(), text = '', aborted = false, final = false, onFinal = null, stopping = false;
    const off = listen((ev) => {
      if (!ev || ev.type !== 'asr.partial' || String(ev.asr_id) !== id) return;
      text = ev.text || '';
      setPartial(text);
      if (ev.final) { final = true; if (onFinal) onFinal(); }
    });
    rec.ondataavailable = (e) => {
      if (!e.data || !e.data.size || aborted) return;
      const n = seq++;
      chain = chain.then(() => api('POST', '/api/v1/paraformer/' + encodeURIComponent(id) + '/audio?seq=' + n, undefined, { raw: e.data }))
        .catch((err) => setError(err));
    };
    const stopped = new Promise((r) => { rec.onstop = r; });
    rec.start(500);
    cur.current = {
      async stop() {
        if (stopping) return;
        stopping = true;
        setStopping(true);
        if (rec.state !== 'inactive') rec.stop();
        stream.getTracks().forEach((x) => x.stop());
        await stopped;
        await chain;
        /* stop answers the final text, or queues the last transcription (asr.partial, final) */
        const last = new Promise((r) => { onFinal = r; if (final) r(); else setTimeout(r, 20000); });
        try {
          const r = await api('POST', '/api/v1/paraformer/stop', { asr_id: id });
          if (r && r.final) text = r.text || text; else await last;
        } catch (err) { setError(err); }
        off();
        finish(text);
      },
      abort() {
        aborted = true;
        off();
        if (rec.state !== 'inactive') rec.stop();
        stream.getTracks().forEach((x) => x.stop());
        api('POST', '/api/v1/paraformer/clear', { asr_id: id }).catch(() => {});
      },
    };
  };

  const startBrowser = () => {
    const r = new SR();
    r.lang = locale(lang);
    r.interimResults = true;
    r.continuous = true;
    let text = '';
    r.onresult = (e) => {
      let fin = '', live = '';
      for (let i = 0; i < e.results.length; i++) {
        if (e.results[i].isFinal) fin += e.results[i][0].transcript; else live += e.results[i][0].transcript;
      }
      text = fin + live;
      setPartial(text);
    };
    r.onerror = (e) => { if (e.error !== 'aborted' && e.error !== 'no-speech') setError(new Error(e.error)); };
    r.onend = () => { if (cur.current && cur.current.r === r) finish(text); };
    r.start();
    cur.current = { r, stop() { r.stop(); }, abort() { cur.current = null; r.abort(); } };
  };

  const start = async () => {
    if (recording || !mode) return;
    setError(null); setPartial('');
    setRecording(true);
    try {
      if (mode === 'asr') await startAsr(); else startBrowser();
    } catch (e) {
      cur.current = null;
      setRecording(false);
      setError(e);
    }
  };
  const stop = () => { if (cur.current) cur.current.stop(); else setRecording(false); };
  return { mode, recording, stopping, partial, error, start, stop };
}

export function useSpeaker() {
  const audio = useRef(null);
  const url = useRef(null);
  const gen = useRef(0);
  const [playing, setPlaying] = useState(null);
  const [tts, setTts] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    let gone = false;
    capabilities().then((c) => { if (!gone) setTts(!!(c && c.tts)); });
    return () => {
      gone = true;
      if (audio.current) audio.current.pause();
      if (url.current) URL.revokeObjectURL(url.current);
    };
  }, []);
  const stop = () => {
    gen.current++;
    if (audio.current) audio.current.pause();
    if (url.current) { URL.revokeObjectURL(url.current); url.current = null; }
    setPlaying(null);
  };
  /* speak(key, text, lang): key names what plays (a turn's id) */
  const speak = async (key, text, lang) => {
    stop();
    const n = gen.current;
    setError(null);
    setPlaying(key);
    try {
      /* the server speaks at most tts_max_chars: the start of a longer message */
      const max = (await capabilities()).tts_max_chars;
      const say = max && Array.from(text).length > max ? Array.from(text).slice(0, max).join('') : text;
      const blob = await api('POST', '/api/v1/tts/stream', { text: say, lang }, { blob: true });
      if (n !== gen.current) return;
      const u = URL.createObjectURL(blob);
      url.current = u;
      if (!audio.current) audio.current = new Audio();
      const a = audio.current;
      a.onended = () => { if (url.current === u) stop(); };
      a.src = u;
      await a.play();
    } catch (e) {
      /* a refused autoplay is not an error worth showing */
      if (n !== gen.current) return;
      if (!(e && e.name === 'NotAllowedError')) setError(e);
      setPlaying(null);
    }
  };
  return { tts, playing, speak, stop, error };
}
