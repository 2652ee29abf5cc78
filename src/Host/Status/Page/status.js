// The status page: polls /status.json and redraws three tables. Every value reaches the page through textContent
// (never markup), so names from the config file cannot inject anything; the CSP forbids inline script anyway.
'use strict';
(function () {
  const refreshMs = 1000;

  function cell(text, field, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '-' : String(text);
    if (field) td.dataset.field = field;
    if (className) td.className = className;
    return td;
  }

  function row(key, name, cells) {
    const tr = document.createElement('tr');
    tr.dataset[key] = name;
    tr.append(...cells);
    return tr;
  }

  function transition(t) {
    if (!t) return '-';
    const detail = t.detail ? ' (' + t.detail + ')' : '';
    return t.from + ' \u2192 ' + t.to + ' at ' + new Date(t.at).toISOString() + ': ' + t.reason + detail;
  }

  function tracking(list) {
    if (!list.length) return '-';
    return list.map(function (t) { return t.name + ' ' + t.state + ' (' + t.contribution + ')'; }).join(', ');
  }

  function render(s) {
    document.getElementById('daemon').textContent =
      'version ' + s.version + ' on node ' + s.node + ', config ' + s.config_file + ', up since ' +
      new Date(s.started_at).toISOString() + ', process ' + s.pid + ' (generation ' + s.generation + ')';

    document.getElementById('instances').replaceChildren(...s.instances.map(function (i) {
      const state = i.configuration_fault ? i.state + ' \u2014 fault: ' + i.configuration_fault : i.state;
      return row('instance', i.name, [
        cell(i.name, 'name'),
        cell(state, 'state', 'state-' + i.state.toLowerCase()),
        cell('vrid ' + i.virtual_router_id + ' on ' + i.interface, 'router'),
        cell(i.effective_priority + ' (configured ' + i.priority + ')', 'priority'),
        cell(i.last_master === null ? '-' : i.last_master + ' (' + i.last_master_priority + ')', 'master'),
        cell(transition(i.last_transition), 'transition'),
        cell(tracking(i.tracking), 'tracking'),
        cell(i.virtual_addresses.join(' '), 'vips'),
      ]);
    }));

    document.getElementById('frontends').replaceChildren(...s.frontends.map(function (f) {
      return row('frontend', f.name, [
        cell(f.name, 'name'),
        cell(f.bind, 'bind'),
        cell(f.backend, 'backend'),
        cell(f.active + ' / ' + f.max_connections, 'active', 'num'),
        cell(f.total, 'total', 'num'),
      ]);
    }));

    document.getElementById('servers').replaceChildren(...s.servers.map(function (v) {
      const state = (v.up ? 'UP' : 'DOWN') + (v.backup ? ' backup' : '');
      return row('server', v.backend + '/' + v.name, [
        cell(v.backend + '/' + v.name, 'name'),
        cell(v.address, 'address'),
        cell(state, 'state', v.up ? 'state-up' : 'state-down'),
        cell(v.last_check, 'check'),
        cell(v.active, 'active', 'num'),
        cell(v.total, 'total', 'num'),
        cell(v.connect_errors, 'errors', 'num'),
      ]);
    }));
  }

  function freshness(text, stale) {
    const p = document.getElementById('freshness');
    p.textContent = text;
    p.className = stale ? 'stale' : 'fresh';
  }

  async function refresh() {
    try {
      const response = await fetch('/status.json', { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      render(await response.json());
      freshness('updated ' + new Date().toISOString(), false);
    } catch (e) {
      // The last good tables stay; the banner says they are old (daemon restarting, listener moved).
      freshness('not updated since the last success: ' + e.message, true);
    } finally {
      setTimeout(refresh, refreshMs);
    }
  }

  refresh();
})();
