/** A reference tic-tac-toe page that meets the suite's contract (suite/tic-tac-toe.ts). */
import { createServer, type Server } from 'node:http';

const PAGE = `<!doctype html><title>Tic-tac-toe</title>
<p role="status" id="status">Next player: X</p>
<div id="board">${Array.from({ length: 9 }, (_, i) => `<button aria-label="cell ${i + 1}" data-i="${i}"></button>`).join('')}</div>
<button id="restart">Restart</button>
<script>
const lines = [[0,1,2],[3,4,5],[6,7,8],[0,3,6],[1,4,7],[2,5,8],[0,4,8],[2,4,6]];
let cells, player, over;
const status = document.getElementById('status');
const buttons = [...document.querySelectorAll('[data-i]')];
function reset() { cells = Array(9).fill(''); player = 'X'; over = false; draw('Next player: X'); }
function draw(text) { buttons.forEach((b, i) => (b.textContent = cells[i])); status.textContent = text; }
buttons.forEach((b, i) => b.addEventListener('click', () => {
  if (over || cells[i]) return;
  cells[i] = player;
  if (lines.some((l) => l.every((j) => cells[j] === player))) { over = true; return draw('Winner: ' + player); }
  if (cells.every(Boolean)) { over = true; return draw('Draw'); }
  player = player === 'X' ? 'O' : 'X';
  draw('Next player: ' + player);
}));
document.getElementById('restart').addEventListener('click', reset);
reset();
</script>`;

export function ticTacToeServer(): Server {
  return createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end('Not found');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
}
