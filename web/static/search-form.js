// The search form: service, operation, span kind, tags, time range, durations and limit, with the
// data-testid names the browser tests use. It holds no query logic: search-query.js maps its fields
// to and from the URL and validates them.
//
// createSearchForm({maxLimit, onSubmit(fields), validate(fields) → {field: message}}) →
//   {element, fill(fields), setServices(names, preferred), showErrors(errors), destroy()}
//   fields: search-query.js's form fields. fill() shows them (a service or operation the lists do not
//   hold yet is added, so a shared link keeps its values). The operation list is fetched whenever
//   the service or span kind changes; a newer fetch cancels an older one. validate() runs on a
//   field when it loses focus, so a typo shows before Find is pressed. destroy() cancels a fetch.

import { h, clear } from './dom.js';
import { getOperations } from './api.js';
import { LOOKBACKS, SPAN_KINDS } from './search-query.js';

const LOOKBACK_LABELS = {
  '5m': 'Last 5 minutes', '15m': 'Last 15 minutes', '30m': 'Last 30 minutes', '1h': 'Last hour',
  '2h': 'Last 2 hours', '3h': 'Last 3 hours', '6h': 'Last 6 hours', '12h': 'Last 12 hours',
  '24h': 'Last 24 hours', '2d': 'Last 2 days', '7d': 'Last 7 days', custom: 'Custom range',
};

export function createSearchForm({ maxLimit, onSubmit, validate }) {
  const inputs = {
    service: h('select', { 'data-testid': 'search-service', name: 'service' }),
    operation: h('select', { 'data-testid': 'search-operation', name: 'operation' }),
    spanKind: h('select', { 'data-testid': 'search-span-kind', name: 'spanKind' },
      h('option', { value: '' }, 'any'), SPAN_KINDS.map((kind) => h('option', { value: kind }, kind))),
    tags: h('input', { 'data-testid': 'search-tags', name: 'tags', type: 'text', spellcheck: 'false',
      autocomplete: 'off', placeholder: 'http.status_code=500 error=true' }),
    lookback: h('select', { 'data-testid': 'search-lookback', name: 'lookback' },
      LOOKBACKS.map((value) => h('option', { value }, LOOKBACK_LABELS[value]))),
    start: h('input', { 'data-testid': 'search-start', name: 'start', type: 'datetime-local', step: '1' }),
    end: h('input', { 'data-testid': 'search-end', name: 'end', type: 'datetime-local', step: '1' }),
    minDuration: h('input', { 'data-testid': 'search-min-duration', name: 'minDuration', type: 'text',
      placeholder: 'e.g. 100ms', autocomplete: 'off' }),
    maxDuration: h('input', { 'data-testid': 'search-max-duration', name: 'maxDuration', type: 'text',
      placeholder: 'e.g. 1.2s', autocomplete: 'off' }),
    limit: h('input', { 'data-testid': 'search-limit', name: 'limit', type: 'number', min: '1', max: String(maxLimit),
      step: '1' }),
  };
  const errorSlots = {};
  const field = (name, label, hint) => {
    errorSlots[name] = h('span', { class: 'field-error', id: `search-error-${name}`, role: 'alert' });
    inputs[name].setAttribute('aria-describedby', `search-error-${name}`);
    return h('label', { class: `search-field search-field-${name}` }, label, inputs[name],
      hint ? h('span', { class: 'search-hint-text' }, hint) : null, errorSlots[name]);
  };
  const customRange = h('div', { class: 'search-custom-range' }, field('start', 'From'), field('end', 'To'));
  const element = h('form', { class: 'search-form', 'data-testid': 'search-form', novalidate: true },
    h('h2', 'Search traces'),
    field('service', 'Service'),
    field('operation', 'Operation'),
    field('spanKind', 'Span kind'),
    field('tags', 'Tags', 'logfmt: key=value, space separated; quote values with spaces'),
    field('lookback', 'Lookback'),
    customRange,
    h('div', { class: 'search-row' }, field('minDuration', 'Min duration'), field('maxDuration', 'Max duration')),
    field('limit', 'Limit results'),
    h('button', { class: 'primary search-submit', type: 'submit', 'data-testid': 'search-submit' }, 'Find Traces'));

  let operations = [];  // of the service and span kind `operationsFor` names
  let operationsFor = null;
  let operationsRequest = null;
  let pendingOperation = '';  // the operation to select once the list holds it

  const read = () => Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value]));

  const showErrors = (errors, only = null) => {
    for (const [name, slot] of Object.entries(errorSlots)) {
      if (only && name !== only) continue;
      slot.textContent = errors[name] || '';
      inputs[name].setAttribute('aria-invalid', errors[name] ? 'true' : 'false');
    }
  };

  const showCustomRange = () => {
    customRange.hidden = inputs.lookback.value !== 'custom';
  };

  const showOperations = () => {
    setOptions(inputs.operation, operationOptions(operations, pendingOperation), pendingOperation);
  };

  // Fetches the operations of the chosen service and span kind unless they are there (or coming).
  const loadOperations = async () => {
    const service = inputs.service.value;
    const key = `${service}\n${inputs.spanKind.value}`;
    if (key === operationsFor) {
      showOperations();
      return;
    }
    operationsRequest?.abort();
    operationsFor = key;
    operations = [];
    showOperations();
    showErrors({}, 'operation');
    if (!service) return;
    const request = new AbortController();
    operationsRequest = request;
    try {
      operations = await getOperations(service, inputs.spanKind.value, request.signal);
      showOperations();
    } catch (error) {
      if (error.name === 'AbortError') return;
      operationsFor = null;  // try again on the next change
      showErrors({ operation: `Could not load the operations: ${error.message}` }, 'operation');
    }
  };

  inputs.service.addEventListener('change', () => {
    pendingOperation = '';
    showErrors({}, 'service');
    loadOperations();
  });
  inputs.spanKind.addEventListener('change', () => {
    pendingOperation = inputs.operation.value;
    loadOperations();
  });
  inputs.operation.addEventListener('change', () => {
    pendingOperation = inputs.operation.value;
  });
  inputs.lookback.addEventListener('change', showCustomRange);
  for (const name of ['tags', 'minDuration', 'maxDuration', 'limit', 'start', 'end']) {
    inputs[name].addEventListener('input', () => showErrors({}, name));
    inputs[name].addEventListener('blur', () => showErrors(validate(read()), name));
  }
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit(read());
  });

  return {
    element,
    fill(fields) {
      if (fields.service) {  // an empty one keeps the current choice
        ensureOption(inputs.service, fields.service, fields.service);
        inputs.service.value = fields.service;
      }
      ensureOption(inputs.lookback, fields.lookback, `Last ${fields.lookback}`);
      for (const name of ['spanKind', 'tags', 'lookback', 'start', 'end', 'minDuration', 'maxDuration', 'limit']) {
        inputs[name].value = fields[name];
      }
      showErrors({});
      showCustomRange();
      pendingOperation = fields.operation;
      loadOperations();
    },
    // `preferred`: the service to select when none is (the last one searched).
    setServices(names, preferred) {
      const selected = inputs.service.value || (names.includes(preferred) ? preferred : names[0] || '');
      const options = names.includes(selected) || !selected ? names : [selected, ...names];
      setOptions(inputs.service, options.map((name) => [name, name]), selected);
      loadOperations();
    },
    showErrors,
    destroy() {
      operationsRequest?.abort();
    },
  };
}

// [[value, label]] of the operation select: "all", then each name once (a name with several span
// kinds is listed once when no kind is chosen), plus `wanted` when the list lacks it.
function operationOptions(operations, wanted) {
  const names = [...new Set(operations.map((operation) => operation.name))].sort();
  if (wanted && !names.includes(wanted)) names.unshift(wanted);
  return [['', 'all'], ...names.map((name) => [name, name])];
}

function setOptions(select, options, value) {
  clear(select);
  for (const [optionValue, label] of options) select.append(h('option', { value: optionValue }, label));
  select.value = value;
}

function ensureOption(select, value, label) {
  if (!value || [...select.options].some((option) => option.value === value)) return;
  select.append(h('option', { value }, label));
}
