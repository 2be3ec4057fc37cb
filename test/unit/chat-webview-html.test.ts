import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, renderShell } from '../../src/chat/webviewHtml';

describe('chat webview shell', () => {
  const nonce = createNonce();
  const html = renderShell({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce, surface: 'sidebar',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/media/chat.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/media/chat.css',
  });

  it('makes a fresh alphanumeric nonce each time', () => {
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(createNonce(), nonce);
  });

  it('has a strict CSP: nothing by default, scripts only by nonce, no inline or remote sources', () => {
    const csp = contentSecurityPolicy('vscode-src', nonce);
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(directives.get('style-src'), ['vscode-src']);
    assert.deepEqual(directives.get('connect-src'), ["'none'"]);
    assert.deepEqual(directives.get('frame-src'), ["'none'"]);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*|data:/);
  });

  it('loads exactly one script, carrying the nonce, and no inline code', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${nonce}"`));
    assert.equal(scripts[0][2].trim(), '');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
  });

  it('refuses a malformed nonce', () => {
    assert.throws(() => renderShell({ cspSource: 'x', nonce: 'a"b', surface: 'editor', scriptUri: 's', styleUri: 'c' }));
  });
});
