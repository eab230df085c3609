// The teacher's journal grid, keyboard first. No build step: plain ES2017 in one file.
//
// Arrow keys move between cells; typing a mark (5, 4, 3/5) or an attendance letter (н, б, уп,
// оп) opens a small editor in the cell; Enter saves and moves to the next pupil, Escape cancels,
// Delete/Backspace clears the cell. Shift+Enter opens the cell's own page: every mark with its
// work type, comment and debt date, minutes late and the reason of an absence. Every save goes
// out in the background through the JSON API with the version the cell was read at: a stale
// write comes back 409 with the current value, which the cell then shows (nothing is
// overwritten). One set of listeners on the table serves
// every cell, so a 35 × 50 grid costs no more than a small one.
(function () {
  'use strict';

  var table = document.getElementById('journal');
  if (!table) {
    return;
  }
  var data = table.dataset;
  var CODES = ['ill', 'excused', 'unexcused', 'late'];
  var STATES = ['saving', 'saved', 'conflict', 'error'];
  // Typed text (lower case) → attendance code, and code → the school's letter.
  var byLetter = { 'н': 'unexcused', 'n': 'unexcused', 'б': 'ill', 'уп': 'excused', 'оп': 'late' };
  var letterOf = { ill: 'Б', excused: 'УП', unexcused: 'Н', late: 'ОП' };
  CODES.forEach(function (code) {
    var letter = table.getAttribute('data-letter-' + code);
    if (letter) {
      letterOf[code] = letter;
      byLetter[letter.toLowerCase()] = code;
    }
  });
  // Saves of one cell run one after another, so each reads the version the previous one left.
  var queues = new WeakMap();
  var editor = null;

  function editable(td) {
    return td && td.classList.contains('c') && !td.classList.contains('ro');
  }

  function cellOf(node) {
    var td = node && node.closest ? node.closest('td.c') : null;
    return td && table.contains(td) ? td : null;
  }

  function select(td) {
    if (!td) {
      return;
    }
    var current = table.querySelector('td.c[tabindex="0"]');
    if (current && current !== td) {
      current.setAttribute('tabindex', '-1');
    }
    td.setAttribute('tabindex', '0');
    td.focus();
    td.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  function neighbour(td, dRow, dCol) {
    var tr = td.parentNode;
    if (dRow) {
      var row = tr.parentNode.rows[tr.sectionRowIndex + dRow];
      var next = row ? row.cells[td.cellIndex] : null;
      return next && next.classList.contains('c') ? next : null;
    }
    var cell = tr.cells[td.cellIndex + dCol];
    return cell && cell.classList.contains('c') ? cell : null;
  }

  function edge(td, last) {
    var cells = td.parentNode.querySelectorAll('td.c');
    return cells.length ? cells[last ? cells.length - 1 : 0] : null;
  }

  // --- what a cell shows -------------------------------------------------------------------

  function part(td, cls) {
    var el = td.querySelector('span.' + cls);
    if (!el) {
      el = document.createElement('span');
      el.className = cls;
      td.appendChild(el);
    }
    return el;
  }

  function showMark(td, mark) {
    if (mark) {
      td.dataset.markId = mark.id;
      td.dataset.markVersion = mark.version;
    } else {
      delete td.dataset.markId;
      delete td.dataset.markVersion;
    }
    var values = [];
    if (td.dataset.otherMarks) {
      values.push(td.dataset.otherMarks);
    }
    if (mark) {
      values.push(mark.value);
    }
    part(td, 'm').textContent = values.join(' ');
  }

  function showAttendance(td, att) {
    if (att) {
      td.dataset.attId = att.id;
      td.dataset.attVersion = att.version;
    } else {
      delete td.dataset.attId;
      delete td.dataset.attVersion;
    }
    part(td, 'a').textContent = att ? letterOf[att.code] || att.code : '';
  }

  function setState(td, state, title) {
    STATES.forEach(function (s) {
      td.classList.remove(s);
    });
    if (state) {
      td.classList.add(state);
    }
    if (title !== undefined) {
      td.title = title;
    }
  }

  // --- talking to the API ------------------------------------------------------------------

  function send(method, url, body) {
    var init = {
      method: method,
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json' }
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      if (res.status === 204) {
        return { status: 204, body: null };
      }
      return res.json().then(
        function (json) {
          return { status: res.status, body: json };
        },
        function () {
          return { status: res.status, body: null };
        }
      );
    }, function () {
      return { status: 0, body: null };
    });
  }

  function enqueue(td, job) {
    var previous = queues.get(td) || Promise.resolve();
    var next = previous.then(job, job);
    queues.set(td, next);
    return next;
  }

  function problemText(body) {
    if (!body) {
      return data.msgOffline;
    }
    if (body.errors) {
      var list = Object.keys(body.errors).map(function (k) {
        return body.errors[k];
      });
      if (list.length) {
        return list.join('; ');
      }
    }
    return body.detail || body.title || data.msgError;
  }

  // A failed save: a conflict shows what the cell holds now; anything else puts back what was
  // shown before and says why in the tooltip.
  function failed(td, res, kind, restore) {
    if (res.status === 409 && res.body && 'current' in res.body) {
      var current = res.body.current;
      if (kind === 'mark') {
        showMark(td, current && current.value !== undefined ? current : null);
      } else {
        showAttendance(td, current && current.code !== undefined ? current : null);
      }
      var now = (part(td, 'm').textContent + ' ' + part(td, 'a').textContent).trim();
      setState(td, 'conflict', data.msgConflict + (now ? ': ' + now : ': —'));
      return;
    }
    restore();
    setState(td, 'error', data.msgError + ': ' + (res.status === 0 ? data.msgOffline : problemText(res.body)));
  }

  function saveMark(td, value) {
    var before = { id: td.dataset.markId, version: td.dataset.markVersion, text: part(td, 'm').textContent };
    part(td, 'm').textContent = (td.dataset.otherMarks ? td.dataset.otherMarks + ' ' : '') + value;
    setState(td, 'saving', data.msgSaving);
    enqueue(td, function () {
      var id = td.dataset.markId;
      var request = id
        ? send('PUT', '/api/v1/marks/' + encodeURIComponent(id), { version: Number(td.dataset.markVersion), value: value })
        : send('POST', '/api/v1/marks', { student_id: td.dataset.student, lesson_id: td.dataset.lesson, value: value });
      return request.then(function (res) {
        if (res.status === 200 || res.status === 201) {
          showMark(td, res.body);
          setState(td, 'saved', data.msgSaved);
        } else {
          failed(td, res, 'mark', function () {
            part(td, 'm').textContent = before.text;
          });
        }
      });
    });
  }

  function saveAttendance(td, code) {
    var beforeText = part(td, 'a').textContent;
    part(td, 'a').textContent = letterOf[code];
    setState(td, 'saving', data.msgSaving);
    enqueue(td, function () {
      var body = { lesson_id: td.dataset.lesson, student_id: td.dataset.student, code: code };
      if (td.dataset.attId) {
        body.version = Number(td.dataset.attVersion);
      }
      return send('POST', '/api/v1/attendance', body).then(function (res) {
        if (res.status === 200) {
          showAttendance(td, res.body);
          setState(td, 'saved', data.msgSaved);
        } else if (res.status === 204) {
          showAttendance(td, null);
          setState(td, 'saved', data.msgSaved);
        } else {
          failed(td, res, 'attendance', function () {
            part(td, 'a').textContent = beforeText;
          });
        }
      });
    });
  }

  function clearCell(td) {
    if (!td.dataset.markId && !td.dataset.attId) {
      return;
    }
    var before = { m: part(td, 'm').textContent, a: part(td, 'a').textContent };
    setState(td, 'saving', data.msgSaving);
    enqueue(td, function () {
      var jobs = [];
      if (td.dataset.markId) {
        jobs.push(send('DELETE', '/api/v1/marks/' + encodeURIComponent(td.dataset.markId) +
          '?version=' + encodeURIComponent(td.dataset.markVersion)).then(function (res) {
          return { kind: 'mark', res: res };
        }));
      }
      if (td.dataset.attId) {
        jobs.push(send('DELETE', '/api/v1/attendance/' + encodeURIComponent(td.dataset.attId) +
          '?version=' + encodeURIComponent(td.dataset.attVersion)).then(function (res) {
          return { kind: 'attendance', res: res };
        }));
      }
      return Promise.all(jobs).then(function (results) {
        var bad = null;
        results.forEach(function (r) {
          if (r.res.status === 204) {
            if (r.kind === 'mark') {
              showMark(td, null);
            } else {
              showAttendance(td, null);
            }
          } else if (!bad || r.res.status === 409) {
            bad = r;
          }
        });
        if (!bad) {
          setState(td, 'saved', data.msgSaved);
        } else {
          failed(td, bad.res, bad.kind, function () {
            part(td, bad.kind === 'mark' ? 'm' : 'a').textContent = bad.kind === 'mark' ? before.m : before.a;
          });
        }
      });
    });
  }

  function commit(td, raw) {
    var value = raw.trim();
    if (!value) {
      return;
    }
    var code = byLetter[value.toLowerCase()];
    if (code) {
      saveAttendance(td, code);
    } else {
      saveMark(td, value);
    }
  }

  // --- the inline editor -------------------------------------------------------------------

  function openEditor(td, text) {
    closeEditor(false);
    var input = document.createElement('input');
    input.className = 'cell-input';
    input.maxLength = 8;
    input.autocomplete = 'off';
    input.setAttribute('aria-label', data.msgInput || '');
    input.value = text;
    td.appendChild(input);
    editor = { td: td, input: input };
    input.focus();
    input.setSelectionRange(text.length, text.length);
  }

  // Closes the editor; with `save`, what was typed is saved. Returns the cell it was in.
  function closeEditor(save) {
    if (!editor) {
      return null;
    }
    var e = editor;
    editor = null;
    var value = e.input.value;
    e.input.remove();
    if (save) {
      commit(e.td, value);
    }
    return e.td;
  }

  // --- a cell's history (H) ----------------------------------------------------------------

  function showHistory(td) {
    var aside = document.getElementById('cell-history');
    if (!aside) {
      return;
    }
    var query = 'lesson=' + encodeURIComponent(td.dataset.lesson) +
      '&student=' + encodeURIComponent(td.dataset.student);
    var body = aside.querySelector('.body');
    aside.querySelector('a.full').href = '/journal/history?' + query;
    aside.querySelector('a.cell').href = '/journal/cell?' + query;
    aside.hidden = false;
    body.textContent = data.msgSaving;
    send('GET', '/api/v1/cells/history?' + query).then(function (res) {
      body.textContent = '';
      if (res.status !== 200 || !Array.isArray(res.body)) {
        body.textContent = data.msgError + ': ' + problemText(res.body);
        return;
      }
      if (!res.body.length) {
        body.textContent = data.msgHistoryEmpty || '';
        return;
      }
      var list = document.createElement('ol');
      list.id = 'cell-history-list';
      res.body.forEach(function (c) {
        var value = function (v) {
          return v && (v.value || v.code) ? (v.value || letterOf[v.code] || v.code) : '—';
        };
        var li = document.createElement('li');
        var when = new Date(c.at);
        li.textContent = when.toLocaleString() + ' · ' + c.action + ' · ' + value(c.before) +
          ' → ' + value(c.after) + (c.reason ? ' · ' + c.reason : '');
        list.appendChild(li);
      });
      body.appendChild(list);
    });
  }

  // --- keys and pointer --------------------------------------------------------------------

  function onEditorKey(ev) {
    var td;
    if (ev.key === 'Enter') {
      ev.preventDefault();
      td = closeEditor(true);
      select(neighbour(td, 1, 0) || td);
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      select(closeEditor(false));
    } else if (ev.key === 'Tab') {
      ev.preventDefault();
      td = closeEditor(true);
      select(neighbour(td, 0, ev.shiftKey ? -1 : 1) || td);
    } else if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
      ev.preventDefault();
      td = closeEditor(true);
      select(neighbour(td, ev.key === 'ArrowUp' ? -1 : 1, 0) || td);
    }
  }

  var MOVES = {
    ArrowUp: [-1, 0],
    ArrowDown: [1, 0],
    ArrowLeft: [0, -1],
    ArrowRight: [0, 1]
  };

  function onCellKey(ev, td) {
    var move = MOVES[ev.key];
    if (move) {
      ev.preventDefault();
      select(neighbour(td, move[0], move[1]) || td);
      return;
    }
    if (ev.key === 'Home' || ev.key === 'End') {
      ev.preventDefault();
      select(edge(td, ev.key === 'End'));
      return;
    }
    if (ev.key === 'Enter' && ev.shiftKey) {
      ev.preventDefault();
      location.href = '/journal/cell?lesson=' + encodeURIComponent(td.dataset.lesson) +
        '&student=' + encodeURIComponent(td.dataset.student);
      return;
    }
    if (ev.key === 'Enter') {
      ev.preventDefault();
      select(neighbour(td, 1, 0) || td);
      return;
    }
    if ((ev.key === 'h' || ev.key === 'H' || ev.key === 'р' || ev.key === 'Р') &&
        !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      showHistory(td);
      return;
    }
    if (!editable(td) || ev.ctrlKey || ev.metaKey || ev.altKey) {
      return;
    }
    if (ev.key === 'Delete' || ev.key === 'Backspace') {
      ev.preventDefault();
      clearCell(td);
    } else if (ev.key === 'F2') {
      ev.preventDefault();
      var mark = part(td, 'm').textContent.split(' ').pop();
      openEditor(td, td.dataset.markId ? mark : part(td, 'a').textContent);
    } else if (ev.key.length === 1 && ev.key !== ' ') {
      ev.preventDefault();
      openEditor(td, ev.key);
    }
  }

  table.addEventListener('keydown', function (ev) {
    if (editor && ev.target === editor.input) {
      onEditorKey(ev);
      return;
    }
    var td = cellOf(ev.target);
    if (td && ev.target === td) {
      onCellKey(ev, td);
    }
  });

  // Leaving the editor by pointer or focus keeps what was typed, as a spreadsheet does.
  table.addEventListener('focusout', function (ev) {
    if (editor && ev.target === editor.input) {
      closeEditor(true);
    }
  });

  table.addEventListener('focusin', function (ev) {
    var td = cellOf(ev.target);
    if (td && ev.target === td) {
      var current = table.querySelector('td.c[tabindex="0"]');
      if (current && current !== td) {
        current.setAttribute('tabindex', '-1');
      }
      td.setAttribute('tabindex', '0');
    }
  });

  table.addEventListener('dblclick', function (ev) {
    var td = cellOf(ev.target);
    if (editable(td) && !editor) {
      openEditor(td, '');
    }
  });

  // One cell is reachable with Tab: the first editable one (else the first cell).
  var first = table.querySelector('td.c:not(.ro)') || table.querySelector('td.c');
  if (first) {
    first.setAttribute('tabindex', '0');
  }

  // --- lesson forms: topic, type, homework ------------------------------------------------

  function openPanel(hash) {
    var panel = hash && hash.indexOf('#lesson-') === 0 ? document.getElementById(hash.slice(1)) : null;
    if (panel && panel.tagName === 'DETAILS') {
      panel.open = true;
      var topic = panel.querySelector('input[name="topic"]');
      if (topic) {
        topic.focus();
      }
    }
  }

  window.addEventListener('hashchange', function () {
    openPanel(location.hash);
  });
  openPanel(location.hash);

  function formValue(form, name) {
    var el = form.elements.namedItem(name);
    return el ? el.value : '';
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains('lesson-form')) {
      return;
    }
    ev.preventDefault();
    var lesson = form.dataset.lesson;
    var status = form.querySelector('.lesson-status');
    var minutes = formValue(form, 'homework_minutes').trim();
    var held = formValue(form, 'held');
    var body = {
      version: Number(formValue(form, 'version')),
      topic: formValue(form, 'topic'),
      lesson_type: formValue(form, 'lesson_type') || null,
      held: held === '' ? null : held === 'true',
      homework: formValue(form, 'homework'),
      homework_minutes: minutes === '' ? null : Number(minutes),
      homework_due_on: formValue(form, 'homework_due_on') || null,
      teacher_comment: formValue(form, 'teacher_comment')
    };
    form.classList.remove('saved', 'conflict', 'error');
    form.classList.add('saving');
    status.textContent = data.msgSaving;
    send('PUT', '/api/v1/lessons/' + encodeURIComponent(lesson), body).then(function (res) {
      form.classList.remove('saving');
      if (res.status === 200) {
        form.elements.namedItem('version').value = res.body.version;
        form.classList.add('saved');
        status.textContent = data.msgSaved;
        var topic = res.body.topic || '';
        var th = table.querySelector('th[data-lesson="' + lesson + '"] .topic');
        if (th) {
          th.textContent = topic.length > 14 ? topic.slice(0, 13) + '…' : topic;
        }
        var summary = form.parentNode.querySelector('.topic-text');
        if (summary && topic) {
          summary.textContent = topic;
        }
      } else if (res.status === 409) {
        var current = res.body && res.body.current;
        // Saving again now replaces what is shown here, knowingly.
        if (current && current.version !== undefined) {
          form.elements.namedItem('version').value = current.version;
        }
        form.classList.add('conflict');
        status.textContent = data.msgConflict + (current ? ': ' + (current.topic || '—') : '');
      } else {
        form.classList.add('error');
        status.textContent = data.msgError + ': ' + problemText(res.body);
      }
    });
  });
})();
