// Leaflet with its plugins: leaflet.heat and leaflet-draw expect a global L, so it is set
// before they load (this module is imported first wherever they are used).
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

window.L = L;
export default L;
