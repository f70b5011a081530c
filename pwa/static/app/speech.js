// @ts-check
// Spoken cues for the player (speechSynthesis), switched off with the Voice toggle.
// Loaded with the app shell, so a tap on "Start stretches" can unlock speech at once.

export const VOICE_KEY = 'aftercare.voice';

export const canSpeak = () => 'speechSynthesis' in window && typeof SpeechSynthesisUtterance === 'function';
export const voiceOn = () => canSpeak() && localStorage.getItem(VOICE_KEY) !== 'off';

/** speak says text, cutting off whatever was still being said. */
export function speak(text) {
  if (!voiceOn()) return;
  speechSynthesis.cancel();
  const u = new SpeechSynthesisUtterance(text);
  u.rate = 0.9;
  speechSynthesis.speak(u);
}

/** unlockSpeech must run inside a tap: iOS only lets speech start from a user gesture. */
export function unlockSpeech() {
  if (!voiceOn()) return;
  const u = new SpeechSynthesisUtterance(' ');
  u.volume = 0;
  speechSynthesis.speak(u);
}
