// Entry point of the dashboard bundle.
import './i18n/index.ts'; // first: every panel renders through it
import { Dashboard } from './dashboard.ts';
import { connectLive } from './live.ts';
import './styles.css';

const dashboard = new Dashboard();
connectLive(dashboard);
dashboard.mount(document.getElementById('app')!);
