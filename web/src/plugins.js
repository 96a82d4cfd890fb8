// Loads the Leaflet plugins after leaflet-setup.js has put L on window.
import L from './leaflet-setup.js';
import 'leaflet.heat';
import 'leaflet-draw';
import 'leaflet-draw/dist/leaflet.draw.css';

export default L;
