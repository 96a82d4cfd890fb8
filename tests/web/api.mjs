// A minimal client of the gateway's HTTP/JSON API for tests and seeding (Node 18+ fetch).
// call() throws an Error carrying .status and .code for any non-2xx answer.
import crypto from 'node:crypto';

export class GatewayApi {
  constructor(baseUrl, token = '') {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  static async login(baseUrl, username, password) {
    const api = new GatewayApi(baseUrl);
    const pair = await api.call('gridwork.gateway.v1.Identity/Login', { username, password });
    api.token = pair.access_token;
    api.user = pair.user;
    return api;
  }

  async call(method, body = {}) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await fetch(`${this.baseUrl}/api/${method}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text };
    }
    if (!res.ok) {
      const err = new Error(`${method}: HTTP ${res.status} ${json.code || ''} ${json.message || ''}`);
      err.status = res.status;
      err.code = json.code;
      throw err;
    }
    return json;
  }
}

export const requestId = () => crypto.randomUUID();
