import express from 'express';
import { createHttpServer } from '../../server/src/http/server';

/**
 * The baseline intake is measured against: a bare Express 5 JSON echo answering 202, served by
 * `app.listen`. With ECHO_SERVER=bus it is served the way the bus serves its app
 * (`createHttpServer`), so the bench can also show what the bus's own work costs.
 */
const app = express();
app.use(express.json({ limit: '5mb' }));
app.post('/v1/events', (req, res) => {
  res.status(202).json({ accepted: 1, data: [{ index: 0, event_id: (req.body as { event_id?: string }).event_id ?? 'x', status: 'queued' }] });
});
const port = Number(process.env.PORT ?? 0);
const onListening = () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
};
const server = process.env.ECHO_SERVER === 'bus' ? createHttpServer(app).listen(port, '127.0.0.1', onListening) : app.listen(port, '127.0.0.1', onListening);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
