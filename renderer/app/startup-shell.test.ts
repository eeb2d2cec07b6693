import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/contract/csp';
import { shellCss } from '../startup-shell.plugin';
import { sections } from './sections';
import { renderStartupShell } from './startup-shell';

describe('the shell painted before any script (index.html)', () => {
  const html = renderStartupShell();

  it('shows every section of the navigation with its shortcut, démo-only ones excepted', () => {
    for (const section of sections) {
      const entry = `<span>${section.label.replace(/'/g, '&#x27;')}</span><kbd>Alt+${section.shortcut}</kbd>`;
      if (section.demoOnly === true) expect(html).not.toContain(entry);
      else expect(html).toContain(entry);
    }
    expect(html).toContain('Connexion…');
    expect(html).toContain('<p class="muted">Chargement…</p>');
  });

  it('has no link yet and says it is busy: a click before the application starts would lose the connection token', () => {
    expect(html).not.toMatch(/href=/);
    expect(html).toMatch(/^<div class="shell" aria-busy="true">/);
  });

  it('is styled by an inline stylesheet that the Content-Security-Policy allows by its hash only', () => {
    const styleSrc = CONTENT_SECURITY_POLICY.split('; ').find((directive) => directive.startsWith('style-src '));
    expect(styleSrc, `put '${shellCss().hash}' in style-src after editing renderer/ui/shell.css`).toBe(`style-src 'self' '${shellCss().hash}'`);
  });
});
