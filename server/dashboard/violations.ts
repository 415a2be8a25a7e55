/**
 * The dashboard's upstream panel: when invites pass through to the real service, it shows how many
 * of its answers broke their contract and the latest violations, from `GET /__mock/violations`.
 */

export const VIOLATIONS_JS = `'use strict';
(function () {
  var panel = document.getElementById('violations');
  if (!panel) return;
  function line (text) {
    var item = document.createElement('li');
    item.textContent = text;
    return item;
  }
  function refresh () {
    var token = document.getElementById('admin-token');
    var headers = { accept: 'application/json' };
    if (token && token.value) headers['x-mock-admin-token'] = token.value;
    fetch('/__mock/violations', { headers: headers, cache: 'no-store' }).then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (data) {
      if (!data || data.upstream === null) return;
      panel.hidden = false;
      document.getElementById('violations-count').textContent = data.total + ' answer(s) of ' + data.upstream + ' broke the contract';
      var list = document.getElementById('violations-list');
      list.textContent = '';
      data.violations.slice(-10).reverse().forEach(function (report) {
        report.violations.forEach(function (v) {
          list.appendChild(line('#' + report.seq + ' ' + report.status + ' ' + v.path + ': expected ' + v.expected + ', got ' + v.got));
        });
      });
    }, function () {});
  }
  refresh();
  setInterval(refresh, 2000);
})();
`
