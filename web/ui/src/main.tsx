import { render } from 'preact';
import { App } from './components/App';
import { registerServiceWorker } from './push';
import './styles.css';

render(<App />, document.getElementById('app')!);
// The service worker shows pushed alerts; registering it asks nothing of the person.
void registerServiceWorker();
