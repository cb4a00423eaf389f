import express from 'express';

/** The baseline intake is measured against: a bare Express 5 JSON echo answering 202. */
const app = express();
app.use(express.json({ limit: '5mb' }));
app.post('/v1/events', (req, res) => {
  res.status(202).json({ accepted: 1, data: [{ index: 0, event_id: (req.body as { event_id?: string }).event_id ?? 'x', status: 'queued' }] });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
