// Entry point of the dashboard bundle.
import './i18n/index.ts'; // first: every panel renders through it
import { Dashboard } from './dashboard.ts';
import { connectLive } from './live.ts';
import { notificationsControl, openFromNotification } from './notifications.ts';
import { registerServiceWorker } from './sw/register.ts';
import './styles.css';
import './staff/staff.css';
import { mountStaff } from './staff/console.ts';

// First: the page's parts ask the registration for things (push subscription) as they start.
registerServiceWorker();
// /staff is the staff console, in the same bundle; everything else the dashboard.
if (location.pathname.startsWith('/staff')) {
  mountStaff(document.getElementById('app')!);
} else {
  const dashboard = new Dashboard();
  connectLive(dashboard);
  dashboard.mount(document.getElementById('app')!);
  document.getElementById('account')?.before(notificationsControl(dashboard.session));
  openFromNotification();
}
