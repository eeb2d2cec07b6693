import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ScanProvider } from './features/scan/ScanProvider';
import { createBridge, MissingTokenError } from './bridge';
import { BridgeProvider } from './bridge/queries';
import { VaultGate } from './features/vault/VaultGate';
import { ToastProvider } from './ui';

// Start-up stages, read by bench/startup.bench.ts: every import above has been evaluated.
performance.mark('pupitre:entry-evaluated');

function start(): void {
  const root = createRoot(document.getElementById('root') as HTMLElement);

  try {
    const bridge = createBridge();
    root.render(
      <StrictMode>
        <BridgeProvider bridge={bridge}>
          <ToastProvider>
            <VaultGate>
              <ScanProvider>
                <App />
              </ScanProvider>
            </VaultGate>
          </ToastProvider>
        </BridgeProvider>
      </StrictMode>,
    );
  } catch (error) {
    root.render(
      <div className="notice notice-error" role="alert" style={{ margin: '2rem' }}>
        <strong>Pupitre ne peut pas se connecter au service local.</strong>
        <div>{error instanceof MissingTokenError ? error.message : 'Relancez Pupitre.'}</div>
      </div>,
    );
  }
}

// index.html already shows the shell (pre-rendered, styled by the inlined shell.css): the design
// system's stylesheet loads without blocking that first paint, and the application renders once
// it is there (a failed load still renders, unstyled rather than blank).
void import('./ui/styles.css').then(start, start);
