// The console's entry module (see README "The console").
document.getElementById('app').textContent = 'Switchboard';
