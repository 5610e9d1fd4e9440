#!/usr/bin/python3
"""Reference log-mel and MFCC features for FeatureExtractorTest, computed with numpy 1.24.

Writes layers/src/test/resources/audio/chirp.wav (a 16-bit 8 kHz mono test signal: a rising
chirp, a tone and a deterministic pseudo-noise, 0.6 s) and audio/features.json with the features
of that file under the formulas of docs/speech.md, in float64. Run from the repository root:
    /usr/bin/python3 layers/src/test/python/make_audio_fixture.py
"""
import json
import struct
import numpy as np

RATE, L, HOP, NFFT, MELS, CEPS, PRE = 8000, 200, 80, 256, 40, 13, 0.97


def signal():
    n = np.arange(int(0.6 * RATE))
    t = n / RATE
    chirp = 0.4 * np.sin(2 * np.pi * (200 * t + 0.5 * 2500 * t * t))
    tone = 0.2 * np.sin(2 * np.pi * 1000 * t)
    noise = 0.05 * (((n * 7919) % 263) / 131.0 - 1.0)   # deterministic, no RNG to match
    x = np.round((chirp + tone + noise) * 32767 * 0.9).astype(np.int16)
    return x


def write_wav(path, pcm):
    data = pcm.astype('<i2').tobytes()
    with open(path, 'wb') as f:
        f.write(b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVE')
        f.write(b'fmt ' + struct.pack('<IHHIIHH', 16, 1, 1, RATE, RATE * 2, 2, 16))
        f.write(b'data' + struct.pack('<I', len(data)) + data)


def mel(hz):
    return 2595 * np.log10(1 + hz / 700)


def hz(m):
    return 700 * (10 ** (m / 2595) - 1)


def features(x):
    y = np.empty_like(x)
    y[0] = x[0]
    y[1:] = x[1:] - PRE * x[:-1]
    frames = 1 + (len(y) - L) // HOP
    idx = np.arange(L)[None, :] + HOP * np.arange(frames)[:, None]
    window = 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(L) / (L - 1))
    spec = np.fft.rfft(y[idx] * window, NFFT)
    power = np.abs(spec) ** 2 / NFFT
    pts = hz(np.linspace(0, mel(RATE / 2), MELS + 2))
    f = np.arange(NFFT // 2 + 1) * RATE / NFFT
    up = (f[None, :] - pts[:-2, None]) / (pts[1:-1, None] - pts[:-2, None])
    down = (pts[2:, None] - f[None, :]) / (pts[2:, None] - pts[1:-1, None])
    w = np.maximum(0, np.minimum(up, down))
    logmel = np.log(np.maximum(power @ w.T, 1e-10))
    m = np.arange(MELS)
    dct = np.cos(np.pi * np.arange(CEPS)[:, None] * (m[None, :] + 0.5) / MELS)
    dct *= np.sqrt(2.0 / MELS)
    dct[0] *= np.sqrt(0.5)
    mfcc = logmel @ dct.T
    return logmel, mfcc


def normalise(v):
    return (v - v.mean(axis=0)) / (v.std(axis=0) + 1e-5)


pcm = signal()
write_wav('layers/src/test/resources/audio/chirp.wav', pcm)
x = pcm.astype(np.float64) / 32768.0
logmel, mfcc = features(x)
out = {
    'frames': int(logmel.shape[0]),
    'logmel': logmel.round(8).tolist(),
    'mfcc': mfcc.round(8).tolist(),
    'mfcc_normalised': normalise(mfcc).round(8).tolist(),
}
with open('layers/src/test/resources/audio/features.json', 'w') as f:
    json.dump(out, f)
print('frames', logmel.shape[0], 'logmel[0][:3]', logmel[0][:3], 'mfcc[0][:3]', mfcc[0][:3])
