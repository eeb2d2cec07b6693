/**
 * The design system: dense, keyboard-first components used by every screen. French labels come
 * from the callers; these components carry no domain words.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type ComponentProps,
  type ReactNode,
} from 'react';
import { renderPdfPages } from './pdf';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

export function Button({ variant = 'secondary', busy = false, children, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }) {
  return (
    <button type="button" {...rest} className={`btn btn-${variant} ${rest.className ?? ''}`} disabled={rest.disabled === true || busy} aria-busy={busy}>
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

export function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string | null; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className={`field ${error ? 'field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {error ? (
        <div className="field-message" role="alert">
          {error}
        </div>
      ) : hint ? (
        <div className="field-hint">{hint}</div>
      ) : null}
    </div>
  );
}

/** React 19 passes `ref` as a prop, so a parent can focus the field. */
export function TextInput(props: ComponentProps<'input'>) {
  return <input type="text" autoComplete="off" spellCheck={false} {...props} className={`input ${props.className ?? ''}`} />;
}

export type Tone = 'neutral' | 'ok' | 'warn' | 'error' | 'info';

export function StatusBadge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const percent = max === 0 ? 0 : Math.round((value / max) * 100);
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
      <div className="progress-fill" style={{ width: `${percent}%` }} />
      <span className="progress-text">
        {label} — {value}/{max} ({percent} %)
      </span>
    </div>
  );
}

export interface Column<T> {
  key: string;
  header: string;
  render(row: T): ReactNode;
  width?: string;
}

export function Table<T>({ columns, rows, rowKey, empty, onActivate }: { columns: Column<T>[]; rows: T[]; rowKey(row: T): string; empty: string; onActivate?(row: T): void }) {
  const [focused, setFocused] = useState(0);
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  return (
    <table
      className="table"
      tabIndex={0}
      onKeyDown={(event) => {
        if (event.key === 'ArrowDown') setFocused((i) => Math.min(rows.length - 1, i + 1));
        else if (event.key === 'ArrowUp') setFocused((i) => Math.max(0, i - 1));
        else if (event.key === 'Enter' && onActivate && rows[focused] !== undefined) onActivate(rows[focused]);
        else return;
        event.preventDefault();
      }}
    >
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.key} style={column.width ? { width: column.width } : undefined}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={rowKey(row)} className={index === focused ? 'row-focused' : undefined} onClick={() => setFocused(index)} onDoubleClick={() => onActivate?.(row)}>
            {columns.map((column) => (
              <td key={column.key}>{column.render(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Dialog({ open, title, children, onClose, actions }: { open: boolean; title: string; children: ReactNode; onClose(): void; actions?: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" onCancel={(event) => { event.preventDefault(); onClose(); }} aria-labelledby={`${title}-title`}>
      <h2 id={`${title}-title`}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">{actions}</div>
    </dialog>
  );
}

export function ConfirmDialog({ open, title, message, confirmLabel, onConfirm, onCancel, danger = false }: { open: boolean; title: string; message: ReactNode; confirmLabel: string; onConfirm(): void; onCancel(): void; danger?: boolean }) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      actions={
        <>
          <Button onClick={onCancel}>Annuler</Button>
          <Button variant={danger ? 'danger' : 'primary'} onClick={onConfirm} autoFocus>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {message}
    </Dialog>
  );
}

export function Panel({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <header className="panel-header">
        <h2>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

/**
 * An error as a person reads it: the French sentence and the next step. The stable code stays out
 * of the sentence, in a details line for support (issue 13: « French for people, codes for logs »).
 */
export function ErrorNotice({ error, next }: { error: unknown; next?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{message}</strong>
      {next ? <div>{next}</div> : null}
      {code ? (
        <details className="notice-code">
          <summary>Détails pour le support</summary>
          Code : <code>{code}</code>
        </details>
      ) : null}
    </div>
  );
}

interface Toast {
  id: number;
  tone: Tone;
  text: string;
}

const ToastContext = createContext<(tone: Tone, text: string) => void>(() => undefined);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((tone: Tone, text: string) => {
    const id = Date.now() + Math.random();
    setToasts((list) => [...list.slice(-3), { id, tone, text }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), tone === 'error' ? 12_000 : 5_000);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`}>
            {toast.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): (tone: Tone, text: string) => void {
  return useContext(ToastContext);
}

export function NotBuiltYet({ what, issue }: { what: string; issue: string }) {
  return (
    <div className="notice notice-info">
      <strong>{what} n’est pas encore disponible dans cette version.</strong>
      <div>Cette partie est en cours de développement ({issue}). Aucune donnée fictive n’est affichée ici.</div>
    </div>
  );
}

/**
 * A PDF drawn page by page (ui/pdf.ts) in a div of class `className`; a PDF pdf.js cannot draw
 * gives an error notice with `next`, the thing to do instead. `onRendered` (keep it stable) gets
 * the page count once every page is drawn.
 */
export function PdfPages({
  bytes,
  scale,
  className,
  pageClassName,
  next,
  onRendered,
  testId,
}: {
  bytes: Uint8Array;
  scale: number;
  className: string;
  pageClassName: string;
  next: string;
  onRendered?(pages: number): void;
  testId?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (container.current === null) return;
    let cancelled = false;
    renderPdfPages(bytes, container.current, { scale, pageClassName, cancelled: () => cancelled }).then(
      (pages) => !cancelled && onRendered?.(pages),
      (e: unknown) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [bytes, scale, pageClassName, onRendered]);
  return (
    <>
      {error !== null ? <ErrorNotice error={error} next={next} /> : null}
      <div ref={container} className={className} data-testid={testId} />
    </>
  );
}
