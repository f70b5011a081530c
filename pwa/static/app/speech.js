// @ts-check
// Spoken cues for the player (speechSynthesis), switched off with the Voice toggle, in the
// app's language (a voice of that language, where the phone has one).
// Loaded with the app shell, so a tap on "Start stretches" can unlock speech at once.
import { language, locale } from '../shared/i18n.js';

export const VOICE_KEY = 'aftercare.voice';

export const canSpeak = () => 'speechSynthesis' in window && typeof SpeechSynthesisUtterance === 'function';
export const voiceOn = () => canSpeak() && localStorage.getItem(VOICE_KEY) !== 'off';

/** speak says text, cutting off whatever was still being said. */
export function speak(text) {
  if (!voiceOn()) return;
  speechSynthesis.cancel();
  const u = new SpeechSynthesisUtterance(text);
  u.lang = locale();
  const voice = voiceFor(language());
  if (voice) u.voice = voice;
  u.rate = 0.9;
  speechSynthesis.speak(u);
}

/**
 * voiceFor picks the phone's voice for a language: its default one for that language, or
 * the first; null when it has none (the browser then chooses by the utterance's lang).
 * @param {string} tag
 */
function voiceFor(tag) {
  const norm = (/** @type {string} */ l) => l.replace('_', '-').toLowerCase();
  const base = tag.split('-')[0].toLowerCase();
  const voices = speechSynthesis.getVoices().filter((v) => norm(v.lang).split('-')[0] === base);
  const exact = voices.filter((v) => norm(v.lang) === norm(locale()) || norm(v.lang) === norm(tag));
  return exact.find((v) => v.default) || exact[0] || voices.find((v) => v.default) || voices[0] || null;
}

/** unlockSpeech must run inside a tap: iOS only lets speech start from a user gesture. */
export function unlockSpeech() {
  if (!voiceOn()) return;
  const u = new SpeechSynthesisUtterance(' ');
  u.volume = 0;
  speechSynthesis.speak(u);
}
