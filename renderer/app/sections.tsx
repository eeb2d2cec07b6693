import { lazy, Suspense, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';

export interface Section {
  path: string;
  label: string;
  /** Alt+key shortcut shown in the navigation. */
  shortcut: string;
  render(): ReactNode;
  demoOnly?: boolean;
}

/** Screens load on first visit: the shell paints before any feature code is fetched. */
function screen(load: () => Promise<{ default: ComponentType }>): () => ReactNode {
  const Screen: LazyExoticComponent<ComponentType> = lazy(load);
  return () => (
    <Suspense fallback={<p className="muted">Chargement…</p>}>
      <Screen />
    </Suspense>
  );
}

const named =
  <K extends string>(key: K) =>
  (module: Record<K, ComponentType>) => ({ default: module[key] });

export const sections: Section[] = [
  { path: '/patient', label: 'Patient', shortcut: '1', render: screen(() => import('../features/patient/PatientScreen').then(named('PatientScreen'))) },
  { path: '/identites', label: 'Identités (INS)', shortcut: '2', render: screen(() => import('../features/identity/IdentityScreen').then(named('IdentityScreen'))) },
  { path: '/dmp', label: 'DMP', shortcut: '3', render: screen(() => import('../features/dmp/DmpScreen').then(named('DmpScreen'))) },
  { path: '/facturation', label: 'Facturation', shortcut: '4', render: screen(() => import('../features/billing/BillingScreen').then(named('BillingScreen'))) },
  { path: '/file-envoi', label: "File d'envoi", shortcut: '5', render: screen(() => import('../features/outbox/OutboxScreen').then(named('OutboxScreen'))) },
  { path: '/diagnostic', label: 'Diagnostic', shortcut: '6', render: screen(() => import('../features/diagnostic/DiagnosticScreen').then(named('DiagnosticScreen'))) },
  { path: '/parametres', label: 'Paramètres', shortcut: '7', render: screen(() => import('../features/settings/SettingsScreen').then(named('SettingsScreen'))) },
  { path: '/demo', label: 'Démo', shortcut: '8', render: screen(() => import('../features/demo/DemoPanel').then(named('DemoPanel'))), demoOnly: true },
  { path: '/apcv', label: 'Appli carte Vitale', shortcut: '9', render: screen(() => import('../features/apcv/ApcvIntake').then(named('ApcvIntake'))) },
  { path: '/ordonnances', label: 'Ordonnances', shortcut: '0', render: screen(() => import('../features/eprescription/DispensationScreen').then(named('DispensationScreen'))) },
];
