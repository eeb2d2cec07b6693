import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ScanProvider } from './features/scan/ScanProvider';
import { createBridge, MissingTokenError } from './bridge';
import { BridgeProvider } from './bridge/queries';
import { VaultGate } from './features/vault/VaultGate';
import { ToastProvider } from './ui';
import './ui/styles.css';

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
// First paint marker, read by bench/startup.
performance.mark('pupitre:first-render');
