// Entry point of the dashboard bundle.
import { Dashboard } from './dashboard.ts';
import './styles.css';

const dashboard = new Dashboard();
dashboard.mount(document.getElementById('app')!);
