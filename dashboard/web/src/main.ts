import 'leaflet/dist/leaflet.css'
import './app.css'
import { mount } from 'svelte'
import App from './App.svelte'
import { installTestHook } from './lib/map/test-hook.ts'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')

installTestHook()
mount(App, { target })
