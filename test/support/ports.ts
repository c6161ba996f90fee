export { freePort } from '../../src/http/free-port';
