// Leaflet with its plugins: leaflet.heat and leaflet-draw expect a global L, so it is set
// before they load (this module is imported first wherever they are used).
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

import iconUrl from 'leaflet/dist/images/marker-icon.png';
import iconRetinaUrl from 'leaflet/dist/images/marker-icon-2x.png';
import shadowUrl from 'leaflet/dist/images/marker-shadow.png';

// Leaflet finds its marker images through a CSS probe that a bundler breaks: name them.
delete L.Icon.Default.prototype._getIconUrl;
L.Icon.Default.mergeOptions({ iconUrl, iconRetinaUrl, shadowUrl });
window.L = L;
export default L;
